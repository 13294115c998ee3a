using AiProgress.Tests.Infrastructure;
using MySqlConnector;

namespace AiProgress.Tests.Api;

/// <summary>The safety-net read of a job's row is done by its feed, once for every watcher in the process.</summary>
public class SharedRowCheckTests(QuickRowCheckWorkerlessFixture system) : IClassFixture<QuickRowCheckWorkerlessFixture>
{
    [Fact]
    public async Task Fifty_watchers_of_a_queued_job_cost_the_database_what_one_does()
    {
        var jobId = await system.CreateJobAsync(maxTokens: 20);
        using var cancellation = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var connected = Enumerable.Range(0, 50).Select(_ => new TaskCompletionSource()).ToArray();
        var watchers = connected.Select(first => SseReader.ReadAsync(system.Client, jobId, firstEvent: first, cancellationToken: cancellation.Token)).ToArray();
        await Task.WhenAll(connected.Select(c => c.Task)).WaitAsync(cancellation.Token);

        var before = await SelectsAsync();
        await Task.Delay(TimeSpan.FromSeconds(2));
        var selects = await SelectsAsync() - before;

        // Eight checks in two seconds; each reads the row and the queue place. Watching alone would be 800 or more.
        Assert.InRange(selects, 4, 40);
        await system.Client.DeleteAsync($"/api/v1/ai/generation/{jobId}");
        var ends = await Task.WhenAll(watchers);
        Assert.All(ends, events => Assert.Equal("cancelled", events[^1].Status));
    }

    private Task<long> SelectsAsync() => MariaDbCounters.SelectsAsync(system.DatabaseConnectionString);
}

/// <summary>While a job's events flow, its feed does not read the row at all: the safety net is for quiet jobs.</summary>
public class GeneratingJobRowCheckTests(QuickRowCheckFixture system) : IClassFixture<QuickRowCheckFixture>
{
    [Fact]
    public async Task Twenty_watchers_of_a_generating_job_read_the_database_not_once_between_their_events()
    {
        system.Ollama.Enqueue(OllamaScript.Steady(200, 50));
        var jobId = await system.CreateJobAsync(maxTokens: 200);
        using var cancellation = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var texts = Enumerable.Range(0, 20).Select(_ => new TaskCompletionSource()).ToArray();
        var watchers = texts.Select(text => SseReader.ReadAsync(system.Client, jobId,
            stopAfter: e => { if (e.Type == "text") text.TrySetResult(); return false; }, cancellationToken: cancellation.Token)).ToArray();
        await Task.WhenAll(texts.Select(t => t.Task)).WaitAsync(cancellation.Token);

        var (selectsBefore, updatesBefore) = await CountersAsync();
        await Task.Delay(TimeSpan.FromSeconds(2));
        var (selectsAfter, updatesAfter) = await CountersAsync();

        // The worker's progress writes (2 a second) read nothing unless a row was lost; any SELECT is the API's.
        // Checking every 250 ms whatever happened would be 8 reads (and 160 if each watcher checked for itself).
        var updates = updatesAfter - updatesBefore;
        var reads = selectsAfter - selectsBefore;
        Assert.True(updates >= 2, $"{updates} progress writes in two seconds");
        Assert.InRange(reads, 0, 1);
        Assert.All(await Task.WhenAll(watchers), events => Assert.Equal("complete", events[^1].Type));
    }

    private async Task<(long Selects, long Updates)> CountersAsync() =>
        (await MariaDbCounters.SelectsAsync(system.DatabaseConnectionString), await MariaDbCounters.UpdatesAsync(system.DatabaseConnectionString));
}

internal static class MariaDbCounters
{
    /// <summary>UPDATE statements of one table and of several (the worker's batched progress write joins its rows).</summary>
    public static async Task<long> UpdatesAsync(string connectionString) =>
        await StatusAsync(connectionString, "Com_update") + await StatusAsync(connectionString, "Com_update_multi");

    public static Task<long> SelectsAsync(string connectionString) => StatusAsync(connectionString, "Com_select");

    /// <summary>A server-wide status counter (SHOW STATUS itself counts in neither of the above).</summary>
    private static async Task<long> StatusAsync(string connectionString, string name)
    {
        await using var connection = new MySqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new MySqlCommand($"SHOW GLOBAL STATUS LIKE '{name}'", connection);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return long.Parse(reader.GetString(1));
    }
}
