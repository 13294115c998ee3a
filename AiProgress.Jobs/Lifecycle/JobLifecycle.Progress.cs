using AiProgress.Jobs.Data;
using MySqlConnector;

namespace AiProgress.Jobs.Lifecycle;

public sealed partial class JobLifecycle
{
    /// <summary>One job's fenced progress UPDATE: it matches only while the job is processing under this attempt.</summary>
    public const string ProgressUpdateSql = """
        UPDATE ai_generation_jobs SET progress_percentage = @p, current_tokens = @tokens,
          tokens_per_second = @rate, elapsed_time = @elapsed, estimated_time_remaining = @eta,
          generated_text = @text, last_update_at = @now
        WHERE job_id = @id AND status = @processing AND attempt = @attempt
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
        parameters.AddWithValue("@processing", JobStatus.Processing);
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

        command.Parameters.AddWithValue("@processing", JobStatus.Processing);
        command.CommandText = $"SELECT job_id FROM ai_generation_jobs WHERE status = @processing AND ({string.Join(" OR ", conditions)})";
        return command;
    }
}
