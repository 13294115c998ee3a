using System.Text.Json;
using MySqlConnector;

namespace AiProgress.Jobs.Lifecycle;

/// <summary>Many rows in one statement: the rows go as one JSON array that the statement reads with JSON_TABLE.</summary>
public sealed partial class JobLifecycle
{
    /// <summary>
    /// Every JSON row's key, and how a statement finds the row's job by it: job_id in the table's own character set,
    /// so the join is a primary-key lookup (EXPLAIN: eq_ref), never a scan per row.
    /// </summary>
    private const string RowKeyColumns = "job_id VARCHAR(36) CHARACTER SET utf8mb4 PATH '$.id', attempt INT PATH '$.attempt'";
    private const string RowsJob = "j.job_id = r.job_id AND j.attempt = r.attempt";

    /// <summary>
    /// Runs a fenced UPDATE of many rows (<c>@rows</c>, <c>@now</c>) in one transaction. Null when every row matched;
    /// otherwise the ids among the rows whose job is in <paramref name="statusAfter"/> under its attempt, asked in the
    /// same transaction (the connection reports matched rows, changed or not: UseAffectedRows = false).
    /// </summary>
    private async Task<HashSet<string>?> UpdateRowsAsync(
        string sql, ReadOnlyMemory<char> rowsJson, int count, string statusAfter, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var update = new MySqlCommand(sql, connection, transaction);
        update.Parameters.AddWithValue("@rows", rowsJson);
        update.Parameters.AddWithValue("@now", time.GetUtcNow().UtcDateTime);
        foreach (var (name, value) in parameters)
        {
            update.Parameters.AddWithValue(name, value);
        }

        var matched = await update.ExecuteNonQueryAsync(cancellationToken);
        var inStatus = matched == count ? null : await RowsInStatusAsync(connection, transaction, rowsJson, statusAfter, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return inStatus;
    }

    private static async Task<HashSet<string>> RowsInStatusAsync(
        MySqlConnection connection, MySqlTransaction transaction, ReadOnlyMemory<char> rowsJson, string status, CancellationToken cancellationToken)
    {
        await using var query = new MySqlCommand($$"""
            SELECT r.job_id FROM JSON_TABLE(@rows, '$[*]' COLUMNS ({{RowKeyColumns}})) r
            JOIN ai_generation_jobs j ON {{RowsJob}}
            WHERE j.status = @status
            """, connection, transaction);
        query.Parameters.AddWithValue("@rows", rowsJson);
        query.Parameters.AddWithValue("@status", status);
        var ids = new HashSet<string>();
        await using var reader = await query.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    }

    /// <summary>The rows as a JSON array of objects, each with at least "id" and "attempt", in pooled memory.</summary>
    private static PooledJson JsonRows<T>(IReadOnlyList<T> rows, int sizeHint, Action<Utf8JsonWriter, T> writeRow)
    {
        using var buffer = new PooledBufferWriter(sizeHint);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            foreach (var row in rows)
            {
                json.WriteStartObject();
                writeRow(json, row);
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        return PooledJson.From(buffer.WrittenSpan);
    }

    // JSON has no NaN or infinity; a rate over no time is 0 to a reader of the row.
    private static double Finite(double value) => double.IsFinite(value) ? value : 0;
}
