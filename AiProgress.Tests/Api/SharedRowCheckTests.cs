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
        var selects = await SelectsAsync() - before - 1;

        // Eight checks in two seconds; each reads the row and the queue place. Watching alone would be 800 or more.
        Assert.InRange(selects, 4, 40);
        await system.Client.DeleteAsync($"/api/v1/ai/generation/{jobId}");
        var ends = await Task.WhenAll(watchers);
        Assert.All(ends, events => Assert.Equal("cancelled", events[^1].Status));
    }

    private async Task<long> SelectsAsync()
    {
        await using var connection = new MySqlConnection(system.DatabaseConnectionString);
        await connection.OpenAsync();
        await using var command = new MySqlCommand("SHOW GLOBAL STATUS LIKE 'Com_select'", connection);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return long.Parse(reader.GetString(1));
    }
}
