using System.Buffers;
using System.Text;
using System.Text.Json;
using AiProgress.Jobs.Data;
using MySqlConnector;

namespace AiProgress.Jobs.Lifecycle;

public sealed partial class JobLifecycle
{
    /// <summary>
    /// Every row of a batch in one fenced UPDATE: the rows come as one JSON array (JSON_TABLE), each matches only
    /// while its job is processing under that attempt. One statement instead of one per row: MariaDB parses, plans
    /// and answers once (measured: per-row statements had it spend most of its time parsing and sending OK packets).
    /// </summary>
    private const string ProgressUpdateSql = """
        UPDATE ai_generation_jobs j
        JOIN JSON_TABLE(@rows, '$[*]' COLUMNS (
          job_id VARCHAR(36) CHARACTER SET utf8mb4 PATH '$.id',
          attempt INT PATH '$.attempt',
          p DOUBLE PATH '$.p',
          tokens INT PATH '$.tokens',
          rate DOUBLE PATH '$.rate',
          elapsed BIGINT PATH '$.elapsed',
          eta BIGINT PATH '$.eta',
          text MEDIUMTEXT CHARACTER SET utf8mb4 PATH '$.text')) r
          ON j.job_id = r.job_id AND j.attempt = r.attempt
        SET j.progress_percentage = r.p, j.current_tokens = r.tokens, j.tokens_per_second = r.rate,
          j.elapsed_time = r.elapsed, j.estimated_time_remaining = r.eta, j.generated_text = r.text, j.last_update_at = @now
        WHERE j.status = @processing
        """;

    /// <summary>
    /// Writes the progress of many jobs in one transaction of one statement. Returns the jobs whose row no longer
    /// matched: they were cancelled or taken over. The statement's count of matched rows tells whether any did; only
    /// then is it asked which (in the same transaction).
    /// </summary>
    public async Task<IReadOnlyList<string>> WriteProgressAsync(IReadOnlyList<ProgressRow> rows, CancellationToken cancellationToken)
    {
        if (rows.Count == 0)
        {
            return [];
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var update = new MySqlCommand(ProgressUpdateSql, connection, transaction);
        var json = RowsJson(rows);
        update.Parameters.AddWithValue("@rows", json);
        update.Parameters.AddWithValue("@now", time.GetUtcNow().UtcDateTime);
        update.Parameters.AddWithValue("@processing", JobStatus.Processing);
        // Matched rows, changed or not: the connection reports found rows (UseAffectedRows = false).
        var matched = await update.ExecuteNonQueryAsync(cancellationToken);
        var lost = matched == rows.Count ? [] : await LostRowsAsync(connection, transaction, json, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return lost;
    }

    private static string RowsJson(IReadOnlyList<ProgressRow> rows)
    {
        var buffer = new ArrayBufferWriter<byte>(rows.Sum(r => r.Text.Length + 160));
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            foreach (var row in rows)
            {
                var s = row.Snapshot;
                json.WriteStartObject();
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

                json.WriteString("text"u8, row.Text);
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    // JSON has no NaN or infinity; a rate over no time is 0 to a reader of the row.
    private static double Finite(double value) => double.IsFinite(value) ? value : 0;

    private static async Task<IReadOnlyList<string>> LostRowsAsync(
        MySqlConnection connection, MySqlTransaction transaction, string rowsJson, CancellationToken cancellationToken)
    {
        await using var query = new MySqlCommand("""
            SELECT r.job_id FROM JSON_TABLE(@rows, '$[*]' COLUMNS (
              job_id VARCHAR(36) CHARACTER SET utf8mb4 PATH '$.id', attempt INT PATH '$.attempt')) r
            WHERE NOT EXISTS (SELECT 1 FROM ai_generation_jobs j WHERE j.job_id = r.job_id AND j.attempt = r.attempt AND j.status = @processing)
            """, connection, transaction);
        query.Parameters.AddWithValue("@rows", rowsJson);
        query.Parameters.AddWithValue("@processing", JobStatus.Processing);
        var lost = new List<string>();
        await using var reader = await query.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            lost.Add(reader.GetString(0));
        }

        return lost;
    }
}
