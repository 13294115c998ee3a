using AiProgress.Jobs.Data;

namespace AiProgress.Jobs.Lifecycle;

public sealed partial class JobLifecycle
{
    /// <summary>
    /// Every row of a batch in one fenced UPDATE: each matches only while its job is processing under that attempt.
    /// One statement instead of one per row: MariaDB parses, plans and answers once (measured: per-row statements
    /// had it spend most of its time parsing and sending an OK packet per row).
    /// </summary>
    private const string ProgressUpdateSql = $$"""
        UPDATE ai_generation_jobs j
        JOIN JSON_TABLE(@rows, '$[*]' COLUMNS (
          {{RowKeyColumns}},
          p DOUBLE PATH '$.p',
          tokens INT PATH '$.tokens',
          rate DOUBLE PATH '$.rate',
          elapsed BIGINT PATH '$.elapsed',
          eta BIGINT PATH '$.eta',
          text MEDIUMTEXT CHARACTER SET utf8mb4 PATH '$.text')) r
          ON {{RowsJob}}
        SET j.progress_percentage = r.p, j.current_tokens = r.tokens, j.tokens_per_second = r.rate,
          j.elapsed_time = r.elapsed, j.estimated_time_remaining = r.eta, j.generated_text = r.text, j.last_update_at = @now
        WHERE j.status = @processing
        """;

    /// <summary>
    /// Writes the progress of many jobs in one transaction of one statement. Returns the jobs whose row no longer
    /// matched: they were cancelled or taken over.
    /// </summary>
    public async Task<IReadOnlyList<string>> WriteProgressAsync(IReadOnlyList<ProgressRow> rows, CancellationToken cancellationToken)
    {
        if (rows.Count == 0)
        {
            return [];
        }

        using var rowsJson = JsonRows(rows, rows.Sum(r => r.Text.Length + 160), static (json, row) =>
        {
            var s = row.Snapshot;
            json.WriteString("id"u8, row.JobId);
            json.WriteNumber("attempt"u8, row.Attempt);
            json.WriteNumber("p"u8, Finite(s.Percentage));
            json.WriteNumber("tokens"u8, s.Tokens);
            json.WriteNumber("rate"u8, Finite(s.TokensPerSecond));
            json.WriteNumber("elapsed"u8, s.ElapsedMs);
            if (s.EstimatedRemainingMs is { } eta)
            {
                json.WriteNumber("eta"u8, eta);
            }
            else
            {
                json.WriteNull("eta"u8);
            }

            json.WriteString("text"u8, row.Text.Span);
        });
        var owned = await UpdateRowsAsync(ProgressUpdateSql, rowsJson.Text, rows.Count, JobStatus.Processing, cancellationToken, ("@processing", JobStatus.Processing));
        return owned is null ? [] : [.. rows.Where(r => !owned.Contains(r.JobId)).Select(r => r.JobId)];
    }
}
