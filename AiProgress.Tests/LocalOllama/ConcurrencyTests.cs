using AiProgress.Tests.Infrastructure;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AiProgress.Tests.LocalOllama;

/// <summary>
/// NumParallel sequences at once, the rest wait first come first served up to MaxQueue, and past that
/// 503. Streams are paced at 50 tokens a second, so a 1,000-token request holds its slot for 20 s
/// unless the test lets it go.
/// </summary>
[Collection(LocalOllamaCollection.Name)]
public sealed class ParallelRequestTests(PacedPairServer server)
{
    [Fact]
    public async Task TwoSequencesRun_TwoMoreWaitInOrder_AndTheNextIsTurnedAwayWith503()
    {
        await server.WaitUntilIdleAsync();

        await using var a = LongStream(server);
        await using var b = LongStream(server);
        Assert.NotNull(await a.ReadLineAsync());
        Assert.NotNull(await b.ReadLineAsync());
        Assert.Equal(2, server.Stats.ActiveSequences);

        await using var c = LongStream(server);
        await Eventually.TrueAsync(() => server.Stats.QueuedRequests == 1, () => $"queued: {server.Stats.QueuedRequests}");
        await using var d = LongStream(server);
        await Eventually.TrueAsync(() => server.Stats.QueuedRequests == 2, () => $"queued: {server.Stats.QueuedRequests}");

        // The queue is full: Ollama's answer is 503 with its error shape, at once.
        var started = Stopwatch.GetTimestamp();
        var rejected = await OllamaHttp.PostAsync(server.Http, "/api/generate", OllamaHttp.Generate("Once upon a time", numPredict: 5));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, rejected.Status);
        Assert.Contains("busy", Assert.Single(rejected.Json.EnumerateObject(), p => p.Name == "error").Value.GetString());
        Assert.True(Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(5));

        Assert.Equal(2, server.Stats.ActiveSequences);
        Assert.False(c.IsAnswered, "c must wait: both sequences are taken");
        Assert.False(d.IsAnswered, "d must wait: both sequences are taken");

        // A slot frees: the oldest waiter, c, gets it; d still waits.
        a.Disconnect();
        await c.ResponseAsync();
        Assert.NotNull(await c.ReadLineAsync());
        Assert.False(d.IsAnswered, "d came after c and must still wait");
        Assert.Equal(1, server.Stats.QueuedRequests);
        Assert.Equal(2, server.Stats.ActiveSequences);

        b.Disconnect();
        await d.ResponseAsync();
        Assert.NotNull(await d.ReadLineAsync());
        Assert.Equal(0, server.Stats.QueuedRequests);
        Assert.True(c.AnsweredAt < d.AnsweredAt);

        c.Disconnect();
        d.Disconnect();
        await server.WaitUntilIdleAsync();
    }

    [Fact]
    public async Task ConcurrentRequestsAllComplete_NeverMoreThanTwoSequencesAtOnce()
    {
        await server.WaitUntilIdleAsync();
        var maxActive = 0;
        using var watching = new CancellationTokenSource();
        var watcher = Task.Run(async () =>
        {
            while (!watching.IsCancellationRequested)
            {
                maxActive = Math.Max(maxActive, server.Stats.ActiveSequences);
                await Task.Delay(5);
            }
        });

        // Four requests of 10 tokens at 50 tok/s: about 0.2 s each, two at a time, within a queue of two.
        var replies = await Task.WhenAll(Enumerable.Range(0, 4).Select(i =>
            OllamaHttp.StreamAsync(server.Http, "/api/generate", OllamaHttp.Generate("Once upon a time", numPredict: 10, temperature: 0.8, seed: i))));
        await watching.CancelAsync();
        await watcher.WaitAsync(LocalOllamaServer.Timeout);

        Assert.All(replies, r => Assert.Equal(10, r.Final.GetProperty("eval_count").GetInt32()));
        Assert.Equal(2, maxActive);
    }

    internal static StreamingCall LongStream(LocalOllamaServer server, int numPredict = 1000) =>
        new(server.Http, "/api/generate", OllamaHttp.Generate("Once upon a time", numPredict: numPredict, temperature: 0.8, seed: 5));
}

/// <summary>A client that goes away stops llama.cpp and frees its sequence for the next request (NumParallel=1).</summary>
[Collection(LocalOllamaCollection.Name)]
public sealed class DisconnectTests(SingleSlotServer server)
{
    [Fact]
    public async Task BreakingOutOfOllamaSharpsStream_StopsGeneration_AndTheSlotIsFreeAtOnce()
    {
        await server.WaitUntilIdleAsync();
        var tokensBefore = server.Stats.TotalTokensGenerated;

        using (var ollama = server.Ollama())
        {
            using var cancel = new CancellationTokenSource(LocalOllamaServer.Timeout);
            var request = new OllamaSharp.Models.GenerateRequest
            {
                Model = TestModel.Name,
                Prompt = "Once upon a time",
                Options = new OllamaSharp.Models.RequestOptions { NumPredict = 1000, Seed = 3 },
            };
            var received = 0;
            await foreach (var _ in ollama.GenerateAsync(request, cancel.Token))
            {
                if (++received == 5)
                {
                    Assert.Equal(1, server.Stats.ActiveSequences);
                    break;
                }
            }
        }

        // The sequence ends within moments, not after the 20 s its 1,000 tokens would take.
        await Eventually.TrueAsync(() => server.Stats.ActiveSequences == 0, () => "the sequence still runs after the client left",
            within: TimeSpan.FromSeconds(5));
        var tokensAtStop = server.Stats.TotalTokensGenerated;
        await Task.Delay(300); // 15 more tokens at 50 tok/s if it were still going
        Assert.Equal(tokensAtStop, server.Stats.TotalTokensGenerated);
        Assert.InRange(tokensAtStop - tokensBefore, 5, 200);

        // The only slot is free: the next request starts at once instead of waiting ~19 s.
        var started = Stopwatch.GetTimestamp();
        var next = await OllamaHttp.StreamAsync(server.Http, "/api/generate", OllamaHttp.Generate("Once upon a time", numPredict: 5));
        Assert.Equal(5, next.Final.GetProperty("eval_count").GetInt32());
        Assert.True(Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(3), $"the next request took {Stopwatch.GetElapsedTime(started)}");
    }

    [Fact]
    public async Task AWaitingRequest_GetsTheSlotAsSoonAsTheStreamAheadDisconnects()
    {
        await server.WaitUntilIdleAsync();
        await using var holder = ParallelRequestTests.LongStream(server);
        Assert.NotNull(await holder.ReadLineAsync());

        await using var waiter = new StreamingCall(server.Http, "/api/generate", OllamaHttp.Generate("Once upon a time", numPredict: 5));
        await Eventually.TrueAsync(() => server.Stats.QueuedRequests == 1, () => "the second request is not waiting");
        await Task.Delay(200);
        Assert.False(waiter.IsAnswered, "with one slot, the second request must wait");

        var disconnected = Stopwatch.GetTimestamp();
        holder.Disconnect();
        await waiter.ResponseAsync();
        Assert.True(Stopwatch.GetElapsedTime(disconnected) < TimeSpan.FromSeconds(3));
        var lines = await waiter.ReadToEndAsync();
        Assert.Equal(5, lines[^1].GetProperty("eval_count").GetInt32());
        Assert.Equal("length", lines[^1].GetProperty("done_reason").GetString());
        await server.WaitUntilIdleAsync();
    }

    [Fact]
    public async Task ARequestThatLeavesTheQueue_NeverStartsASequence()
    {
        await server.WaitUntilIdleAsync();
        await using var holder = ParallelRequestTests.LongStream(server);
        Assert.NotNull(await holder.ReadLineAsync());

        await using var quitter = ParallelRequestTests.LongStream(server);
        await Eventually.TrueAsync(() => server.Stats.QueuedRequests == 1, () => "the second request is not waiting");
        quitter.Disconnect();
        await Eventually.TrueAsync(() => server.Stats.QueuedRequests == 0, () => "the request that left is still queued");
        Assert.Equal(1, server.Stats.ActiveSequences);

        holder.Disconnect();
        await Eventually.TrueAsync(() => server.Stats.ActiveSequences == 0, () => "the holder's sequence still runs");
        await Task.Delay(200);
        Assert.Equal(0, server.Stats.ActiveSequences);
        Assert.Equal(0, server.Stats.QueuedRequests);
    }

    [Fact]
    public async Task DisconnectingFromANonStreamedRequest_AlsoStopsGeneration()
    {
        await server.WaitUntilIdleAsync();
        var body = OllamaHttp.Generate("Once upon a time", numPredict: 1000, temperature: 0.8, seed: 9, stream: false);
        await using var call = new StreamingCall(server.Http, "/api/generate", body);
        await Eventually.TrueAsync(() => server.Stats.ActiveSequences == 1, () => "the request did not start");
        await Task.Delay(100);

        call.Disconnect();

        await Eventually.TrueAsync(() => server.Stats.ActiveSequences == 0, () => "the sequence still runs after the client left",
            within: TimeSpan.FromSeconds(5));
        var tokensAtStop = server.Stats.TotalTokensGenerated;
        await Task.Delay(200);
        Assert.Equal(tokensAtStop, server.Stats.TotalTokensGenerated);
    }
}
