using AiProgress.Jobs.Data;
using Microsoft.EntityFrameworkCore;
using MySqlConnector;

namespace AiProgress.Worker.Jobs;

/// <summary>
/// The worker's writes to <c>ai_generation_jobs</c>. Every write during processing is fenced by status and
/// attempt, so a worker that lost its job (taken over, cancelled) cannot overwrite the newer truth.
/// </summary>
public sealed class JobStore(IDbContextFactory<JobsDbContext> contexts, MySqlDataSource dataSource, TimeProvider time)
{
    /// <summary>Marks the job processing under a new attempt; null when it is terminal or unknown.</summary>
    public async Task<GenerationJob?> BeginAttemptAsync(string jobId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var updated = await db.Jobs
            .Where(j => j.JobId == jobId && (j.Status == JobStatus.Queued || j.Status == JobStatus.Processing))
            .ExecuteUpdateAsync(s => s
                .SetProperty(j => j.Status, JobStatus.Processing)
                .SetProperty(j => j.Attempt, j => j.Attempt + 1)
                .SetProperty(j => j.StartedAt, j => j.StartedAt ?? now)
                .SetProperty(j => j.LastUpdateAt, now), cancellationToken);
        return updated == 0 ? null : await db.Jobs.AsNoTracking().SingleAsync(j => j.JobId == jobId, cancellationToken);
    }

    /// <summary>One job's fenced progress UPDATE: it matches only while the job is processing under this attempt.</summary>
    public const string ProgressUpdateSql = """
        UPDATE ai_generation_jobs SET progress_percentage = @p, current_tokens = @tokens,
          tokens_per_second = @rate, elapsed_time = @elapsed, estimated_time_remaining = @eta,
          generated_text = @text, last_update_at = @now
        WHERE job_id = @id AND status = 'processing' AND attempt = @attempt
        """;

    public static void BindProgress(MySqlParameterCollection parameters, ProgressRow row, DateTime now)
    {
        parameters.AddWithValue("@p", row.Snapshot.Percentage);
        parameters.AddWithValue("@tokens", row.Snapshot.Tokens);
        parameters.AddWithValue("@rate", row.Snapshot.TokensPerSecond);
        parameters.AddWithValue("@elapsed", row.Snapshot.ElapsedMs);
        parameters.AddWithValue("@eta", row.Snapshot.EstimatedRemainingMs);
        parameters.AddWithValue("@text", row.Text);
        parameters.AddWithValue("@now", now);
        parameters.AddWithValue("@id", row.JobId);
        parameters.AddWithValue("@attempt", row.Attempt);
    }

    /// <summary>
    /// Writes the progress of every job a worker runs in one transaction: BEGIN, one batch (the fenced UPDATEs
    /// and an ownership SELECT), COMMIT, whatever the number of jobs. MariaDB's cost is the commit, so this
    /// pays off from a few jobs on (AiProgress.Benchmarks pipeline prints the ratio).
    /// Returns the jobs whose row no longer matched: they were cancelled or taken over.
    /// </summary>
    public async Task<IReadOnlyList<string>> WriteProgressAsync(IReadOnlyList<ProgressRow> rows, CancellationToken cancellationToken)
    {
        if (rows.Count == 0)
        {
            return [];
        }

        var now = time.GetUtcNow().UtcDateTime;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var batch = new MySqlBatch(connection, transaction);
        foreach (var row in rows)
        {
            var command = new MySqlBatchCommand(ProgressUpdateSql);
            BindProgress(command.Parameters, row, now);
            batch.BatchCommands.Add(command);
        }

        batch.BatchCommands.Add(StillOwnedQuery(rows));
        var owned = new HashSet<string>();
        await using (var reader = await batch.ExecuteReaderAsync(cancellationToken))
        {
            // The UPDATEs yield no rows; the last command's result names the rows still ours.
            do
            {
                while (reader.FieldCount > 0 && await reader.ReadAsync(cancellationToken))
                {
                    owned.Add(reader.GetString(0));
                }
            }
            while (await reader.NextResultAsync(cancellationToken));
        }

        await transaction.CommitAsync(cancellationToken);
        return rows.Where(r => !owned.Contains(r.JobId)).Select(r => r.JobId).ToList();
    }

    // Per-command affected-row counts of a batch are not reliable across servers; asking in the same
    // batch and transaction costs no extra round trip and is always right.
    private static MySqlBatchCommand StillOwnedQuery(IReadOnlyList<ProgressRow> rows)
    {
        var conditions = new List<string>(rows.Count);
        var command = new MySqlBatchCommand();
        for (var i = 0; i < rows.Count; i++)
        {
            conditions.Add($"(job_id = @owned_id{i} AND attempt = @owned_attempt{i})");
            command.Parameters.AddWithValue($"@owned_id{i}", rows[i].JobId);
            command.Parameters.AddWithValue($"@owned_attempt{i}", rows[i].Attempt);
        }

        command.CommandText = $"SELECT job_id FROM ai_generation_jobs WHERE status = 'processing' AND ({string.Join(" OR ", conditions)})";
        return command;
    }

    /// <summary>Records the final numbers; false when the job was no longer this attempt's to complete.</summary>
    public async Task<bool> CompleteAsync(string jobId, int attempt, FinalCounts counts, string text, long elapsedMs, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Jobs
            .Where(j => j.JobId == jobId && j.Status == JobStatus.Processing && j.Attempt == attempt)
            .ExecuteUpdateAsync(s => s
                .SetProperty(j => j.Status, JobStatus.Completed)
                .SetProperty(j => j.ProgressPercentage, 100.0)
                .SetProperty(j => j.CurrentTokens, counts.CompletionTokens)
                .SetProperty(j => j.PromptTokens, counts.PromptTokens)
                .SetProperty(j => j.CompletionTokens, counts.CompletionTokens)
                .SetProperty(j => j.TotalTokens, counts.PromptTokens + counts.CompletionTokens)
                .SetProperty(j => j.TokensPerSecond, counts.TokensPerSecond)
                .SetProperty(j => j.ElapsedTime, elapsedMs)
                .SetProperty(j => j.EstimatedTimeRemaining, 0L)
                .SetProperty(j => j.GeneratedText, text)
                .SetProperty(j => j.LastUpdateAt, now)
                .SetProperty(j => j.CompletedAt, now), cancellationToken) == 1;
    }

    /// <summary>Ends the job failed; with no attempt given, whatever attempt holds it (giving up after too many).</summary>
    public async Task<bool> FailAsync(string jobId, int? attempt, string message, string? text, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        message = message.Length > 1024 ? message[..1024] : message;
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var query = db.Jobs.Where(j => j.JobId == jobId && (j.Status == JobStatus.Processing || j.Status == JobStatus.Queued));
        if (attempt is { } a)
        {
            query = query.Where(j => j.Attempt == a);
        }

        return await query.ExecuteUpdateAsync(s => s
            .SetProperty(j => j.Status, JobStatus.Failed)
            .SetProperty(j => j.ErrorMessage, message)
            .SetProperty(j => j.GeneratedText, j => text ?? j.GeneratedText)
            .SetProperty(j => j.EstimatedTimeRemaining, (long?)null)
            .SetProperty(j => j.LastUpdateAt, now)
            .SetProperty(j => j.CompletedAt, now), cancellationToken) == 1;
    }
}

public sealed record ProgressRow(string JobId, int Attempt, Progress.ProgressSnapshot Snapshot, string Text);

public sealed record FinalCounts(int PromptTokens, int CompletionTokens, double TokensPerSecond);
