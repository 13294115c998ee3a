using Microsoft.Extensions.DependencyInjection;
using AiProgress.Jobs;
using AiProgress.Testing;
using AiProgress.Tests.Infrastructure;
using static AiProgress.Tests.Infrastructure.Eventually;

namespace AiProgress.Tests.Api;

/// <summary>Without Redis the stream falls back to the seed's design (poll the row every 200 ms) and still ends right.</summary>
public class RedisOutageStreamTests(FastRowCheckFixture system) : IClassFixture<FastRowCheckFixture>
{
    [Fact]
    public async Task When_Redis_dies_mid_job_the_stream_goes_on_from_MySQL_and_ends_with_complete()
    {
        system.Ollama.Enqueue(OllamaScript.Steady(240, 40));
        var jobId = await system.CreateJobAsync("redis outage", maxTokens: 240);
        var killedAt = TimeSpan.Zero;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var reading = SseClient.ReadAsync(system.Client, jobId, timeout: TimeSpan.FromSeconds(60));
        await WaitUntilAsync(async () => (await system.ReadRowAsync(jobId)).CurrentTokens >= 20);

        await system.Redis.KillAsync();
        killedAt = clock.Elapsed;
        var events = await reading;

        Assert.Equal("complete", events[^1].Type);
        Assert.True(events.Count(e => e.Type == "progress" && e.At > killedAt + TimeSpan.FromSeconds(0.5)) >= 3,
            $"progress kept coming while Redis was down (killed at {killedAt}): " + string.Join(", ", events.Select(e => $"{e.Type}@{e.At.TotalSeconds:0.00}")));
        var status = await system.GetStatusAsync(jobId);
        Assert.Equal("completed", status.GetProperty("status").GetString());
        Assert.Equal(status.GetProperty("text").GetString(), SseClient.JoinText(events));
        await system.Redis.StartAsync();
        // The API reconnects on its own time; a watcher that comes before that polls the row, by design.
        // Both of its connections: the subscriptions' and the live events' own (which reads a feed's first events).
        var apiRedis = system.Api.Services.GetRequiredService<StackExchange.Redis.IConnectionMultiplexer>();
        var apiLiveEvents = system.Api.Services.GetRequiredService<AiProgress.Jobs.Events.JobEventStream>();
        // And the test's own, which asks Redis for the subscribed channels below.
        await TrueAsync(() => apiRedis.IsConnected && apiRedis.GetSubscriber().IsConnected(RedisKeys.JobEventsAppended("probe")) && apiLiveEvents.IsAvailable
                              && system.RedisConnection.IsConnected,
            () => "the API did not reconnect to Redis");

        // Back on Redis: a new job is followed through its feed again, and no channel of the outage stays subscribed.
        // Five seconds of tokens: on a busy machine a one-second job could end before its channel was first looked at.
        system.Ollama.Enqueue(OllamaScript.Steady(200, 40));
        var after = await system.CreateJobAsync("after the outage", maxTokens: 200);
        var first = new TaskCompletionSource();
        using var cancellation = new CancellationTokenSource(PipelineFixture.Patience);
        var followed = SseReader.ReadAsync(system.Client, after, firstEvent: first, cancellationToken: cancellation.Token);
        await first.Task.WaitAsync(cancellation.Token);
        await TrueAsync(async () => (await JobChannelsAsync()).Contains(RedisKeys.JobEventsAppended(after).ToString()),
            () => "the new job's channel was not subscribed: its watcher is not on a feed");
        Assert.Equal("complete", (await followed)[^1].Type);
        await TrueAsync(async () => (await JobChannelsAsync()).Length == 0, () => "a job channel is still subscribed");
    }

    [Fact]
    public async Task A_watcher_that_fell_back_to_polling_moves_to_the_feed_once_Redis_is_back()
    {
        // 20 s of tokens: the API's reconnect (its own backoff) and the stream's wait before trying the feed fit well inside.
        system.Ollama.Enqueue(OllamaScript.Steady(800, 40));
        var jobId = await system.CreateJobAsync("outage and back", maxTokens: 800);
        var channel = RedisKeys.JobEventsAppended(jobId).ToString();
        var reading = SseClient.ReadAsync(system.Client, jobId, timeout: TimeSpan.FromSeconds(60));
        await TrueAsync(async () => (await JobChannelsAsync()).Contains(channel), () => "the watcher never joined the job's feed");

        await system.Redis.KillAsync();
        await WaitUntilAsync(async () => (await system.ReadRowAsync(jobId)).CurrentTokens >= 80);
        await system.Redis.StartAsync();

        // The job runs on for seconds: its watcher, polling the row since the outage, is back on the feed before the end.
        await TrueAsync(async () => (await JobChannelsAsync()).Contains(channel), () => "the watcher stayed on polling after Redis came back");
        Assert.NotEqual("completed", (await system.ReadRowAsync(jobId)).Status);
        var events = await reading;

        Assert.Equal("complete", events[^1].Type);
        var status = await system.GetStatusAsync(jobId);
        Assert.Equal(status.GetProperty("text").GetString(), SseClient.MergeText(events));
        Assert.True(events.Count(e => e.Type == "text") > 20, $"text came in {events.Count(e => e.Type == "text")} events");
    }

    private async Task<string[]> JobChannelsAsync()
    {
        var channels = (StackExchange.Redis.RedisResult[])(await system.RedisConnection.GetDatabase().ExecuteAsync("PUBSUB", "CHANNELS", "aiprogress:job:*"))!;
        return channels.Select(c => (string)c!).ToArray();
    }
}
