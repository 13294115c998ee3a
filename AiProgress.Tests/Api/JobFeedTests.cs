using AiProgress.Api.Live;
using AiProgress.Jobs;
using AiProgress.Jobs.Events;
using AiProgress.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using static AiProgress.Tests.Infrastructure.Eventually;
using AiProgress.Testing;

namespace AiProgress.Tests.Api;

/// <summary>
/// One reader per job per API process: watchers share its frames, the process listens only on the channels of
/// jobs it has watchers for, and a watcher that stops reading is let go without holding up the others.
/// </summary>
public class JobFeedTests(PipelineFixture system) : IClassFixture<PipelineFixture>
{
    [Fact]
    public async Task Two_hundred_watchers_of_one_job_are_fed_by_one_read_and_one_subscription()
    {
        system.Ollama.Enqueue(OllamaScript.Steady(120, 120) with { FirstTokenDelay = TimeSpan.FromSeconds(1.5) });
        var jobId = await system.CreateJobAsync(maxTokens: 120);
        var readsBefore = await StreamReadsAsync();

        var firstEvents = Enumerable.Range(0, 200).Select(_ => new TaskCompletionSource()).ToArray();
        using var cancellation = new CancellationTokenSource(PipelineFixture.Patience);
        var watchers = firstEvents.Select(first => SseReader.ReadAsync(system.Client, jobId, firstEvent: first, cancellationToken: cancellation.Token)).ToArray();
        await Task.WhenAll(firstEvents.Select(f => f.Task)).WaitAsync(cancellation.Token);
        var subscribers = await SubscribersAsync(jobId);
        var streams = await Task.WhenAll(watchers);

        var text = (await system.GetStatusAsync(jobId)).GetProperty("text").GetString();
        Assert.All(streams, events =>
        {
            Assert.Equal("complete", events[^1].Type);
            Assert.Equal(text, SseClient.JoinText(events));
        });
        Assert.Equal(1, subscribers);
        var reads = await StreamReadsAsync() - readsBefore;
        Assert.True(reads <= 3, $"{reads} reads of the job's stream for 200 watchers (one when the feed opened)");
        await TrueAsync(async () => await SubscribersAsync(jobId) == 0, () => "the channel is still heard after the job ended");
    }

    [Fact]
    public async Task The_process_listens_only_on_the_channels_of_jobs_it_has_watchers_for()
    {
        system.Ollama.Enqueue(OllamaScript.Steady(60, 40));
        system.Ollama.Enqueue(OllamaScript.Steady(60, 40));
        var watched = await system.CreateJobAsync(maxTokens: 60);
        var unwatched = await system.CreateJobAsync(maxTokens: 60);

        using var cancellation = new CancellationTokenSource(PipelineFixture.Patience);
        var first = new TaskCompletionSource();
        var reading = SseReader.ReadAsync(system.Client, watched, firstEvent: first, cancellationToken: cancellation.Token);
        await first.Task.WaitAsync(cancellation.Token);

        var channels = (RedisResult[])(await system.RedisConnection.GetDatabase().ExecuteAsync("PUBSUB", "CHANNELS", "aiprogress:job:*"))!;
        Assert.Equal([RedisKeys.JobEventsAppended(watched).ToString()], channels.Select(c => (string)c!).ToArray());
        Assert.Equal(0, await SubscribersAsync(unwatched));
        Assert.Equal("complete", (await reading)[^1].Type);
        await system.WaitForTerminalAsync(unwatched);
    }

    /// <summary>A job that waits for its first token, so only the test appends to its stream meanwhile.</summary>
    private async Task<(string JobId, JobFeeds Feeds, JobEventStream Events)> JobHeldAtItsFirstTokenAsync()
    {
        system.Ollama.Enqueue(OllamaScript.Steady(5, 10) with { FirstTokenDelay = TimeSpan.FromSeconds(8) });
        var jobId = await system.CreateJobAsync(maxTokens: 5);
        await WaitUntilAsync(async () => (await system.GetStatusAsync(jobId)).GetProperty("status").GetString() == "processing");
        return (jobId, system.Api.Services.GetRequiredService<JobFeeds>(), system.Api.Services.GetRequiredService<JobEventStream>());
    }

    [Fact]
    public async Task A_watcher_that_stops_reading_is_let_go_and_the_others_get_every_frame()
    {
        var (jobId, feeds, events) = await JobHeldAtItsFirstTokenAsync();
        using var stuck = await feeds.JoinAsync(jobId, CancellationToken.None);
        using var reading = await feeds.JoinAsync(jobId, CancellationToken.None);
        var received = new System.Collections.Concurrent.ConcurrentQueue<SseFrame>();
        var reader = Task.Run(async () =>
        {
            await foreach (var frame in reading.Watcher.Frames.ReadAllAsync())
            {
                received.Enqueue(frame);
            }
        });

        const int appended = 400;
        for (var i = 0; i < appended; i++)
        {
            await events.AppendAsync(jobId, JobEvents.Text(1000 + i, "x"));
        }

        await TrueAsync(() => received.Count(f => f.Type == "text") >= appended, () => $"the reading watcher got {received.Count} frames");
        Assert.Equal(FeedEnd.TooSlow, stuck.Watcher.End);
        Assert.Equal(256, stuck.Watcher.Frames.Count);
        Assert.Equal(FeedEnd.None, reading.Watcher.End);
        var ids = received.Where(f => f.Type == "text").Select(f => f.Order).ToList();
        Assert.Equal(ids.Order(), ids);
        Assert.Equal(appended, ids.Distinct().Count());
        await system.Client.DeleteAsync($"/api/v1/ai/generation/{jobId}");
    }

    [Fact]
    public async Task A_note_of_text_and_progress_reaches_each_watcher_whole_so_it_goes_out_in_one_write()
    {
        var (jobId, feeds, events) = await JobHeldAtItsFirstTokenAsync();
        var joins = new List<FeedJoin>();
        for (var i = 0; i < 200; i++) joins.Add(await feeds.JoinAsync(jobId, CancellationToken.None));
        // What a watcher's writer does: wake, take everything waiting, send it in one write.
        var pairs = 0;
        var split = 0;
        using var stop = new CancellationTokenSource();
        var readers = joins.Select(join => Task.Run(async () =>
        {
            var frames = join.Watcher.Frames;
            while (await frames.WaitToReadAsync(stop.Token).AsTask().ContinueWith(t => !t.IsCanceled && t.Result))
            {
                var texts = 0;
                var progress = 0;
                while (frames.TryRead(out var frame))
                {
                    // Only this test's notes: the worker's own progress (the held job's first token is late) and the
                    // feed's check of the row may come in between.
                    if (!frame.FromStream || !IsTestNote(frame)) continue;
                    if (frame.Type == "text") texts++;
                    if (frame.Type == "progress") progress++;
                }

                if (texts > 0 && progress == texts) Interlocked.Increment(ref pairs);
                else if (texts + progress > 0) Interlocked.Increment(ref split);
            }
        })).ToArray();

        const int notes = 20;
        for (var i = 0; i < notes; i++)
        {
            await events.AppendAsync(jobId, [JobEvents.Text(1000 + i, NoteMark), (JobEventTypes.Progress, $$"""{"status":"processing","tokens":{{i}},"note":"{{NoteMark}}"}""")]);
            await Task.Delay(30);
        }

        await TrueAsync(() => Volatile.Read(ref pairs) + Volatile.Read(ref split) >= notes * joins.Count * 0.9, () => $"{pairs} whole notes, {split} split");
        await stop.CancelAsync();
        await Task.WhenAll(readers).WaitAsync(TimeSpan.FromSeconds(10));
        foreach (var join in joins) join.Dispose();
        Assert.True(split <= notes * joins.Count / 400, $"{split} of {pairs + split} notes reached a watcher in pieces");
        await system.Client.DeleteAsync($"/api/v1/ai/generation/{jobId}");
    }

    private const string NoteMark = "test-note";

    private static bool IsTestNote(SseFrame frame) => System.Text.Encoding.UTF8.GetString(frame.Bytes).Contains(NoteMark, StringComparison.Ordinal);

    [Fact]
    public async Task With_polling_forced_the_stream_is_served_from_the_row_and_no_channel_is_heard()
    {
        await using var polling = system.StartApi(("Api:ForcePolling", "true"));
        using var client = polling.CreateBrowserClient();
        system.Ollama.Enqueue(OllamaScript.Steady(40, 40));
        var jobId = await system.CreateJobAsync(maxTokens: 40, client: client);

        using var cancellation = new CancellationTokenSource(PipelineFixture.Patience);
        var first = new TaskCompletionSource();
        var reading = SseReader.ReadAsync(client, jobId, firstEvent: first, cancellationToken: cancellation.Token);
        await first.Task.WaitAsync(cancellation.Token);
        var subscribers = await SubscribersAsync(jobId);
        var events = await reading;

        Assert.Equal(0, subscribers);
        Assert.Equal("complete", events[^1].Type);
        Assert.Equal((await system.GetStatusAsync(jobId, client)).GetProperty("text").GetString(), SseClient.JoinText(events));
    }

    private async Task<long> SubscribersAsync(string jobId)
    {
        var reply = (RedisResult[])(await system.RedisConnection.GetDatabase().ExecuteAsync("PUBSUB", "NUMSUB", RedisKeys.JobEventsAppended(jobId).ToString()))!;
        return (long)reply[1];
    }

    /// <summary>XRANGE calls the server has run (job streams are read with nothing else).</summary>
    private Task<long> StreamReadsAsync() => RedisCommandStats.CallsAsync(system.Redis.ConnectionString, "xrange");

    [Fact]
    public async Task A_watcher_that_stopped_waiting_ends_its_wait_and_is_not_counted_as_slow()
    {
        var watcher = new FeedWatcher(capacity: 8);
        var waiting = watcher.Frames.WaitToReadAsync().AsTask();

        watcher.StopWaiting();

        Assert.False(await waiting.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.True(watcher.Offer(SseFrame.Ping), "a feed offering to a watcher that left must not take it for a slow one");
        Assert.Equal(FeedEnd.None, watcher.End);
    }
}
