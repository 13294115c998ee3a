using System.Diagnostics;

namespace AiProgress.Tests.LocalOllama;

/// <summary>LocalOllama:MaxTokensPerSecond holds each stream at or below its ceiling.</summary>
[Collection(LocalOllamaCollection.Name)]
public sealed class PacingTests(PacedPairServer paced, DefaultServer unpaced)
{
    [Fact]
    public async Task ACeilingOf50TokensPerSecond_Spreads50TokensOverAtLeastHalfASecond()
    {
        await paced.WaitUntilIdleAsync();
        var (lines, arrivals) = await StreamWithArrivalTimes(paced, numPredict: 50);

        var final = lines[^1];
        var tokens = final.GetProperty("eval_count").GetInt32();
        Assert.Equal(50, tokens);
        // 49 waits of 20 ms: about 0.98 s; the client sees the pieces spread over that time (half of it, should this
        // machine stall the reader for a while).
        var spread = arrivals[^1] - arrivals[0];
        Assert.True(spread >= TimeSpan.FromSeconds(0.5), $"50 tokens arrived within {spread.TotalMilliseconds:F0} ms");
        Assert.True(spread < TimeSpan.FromSeconds(20), $"pacing is far too slow: {spread}");

        // eval_duration is in nanoseconds: 0.98 s of pacing is 9.8e8 (ticks or microseconds would be far less).
        var evalDuration = final.GetProperty("eval_duration").GetInt64();
        Assert.True(evalDuration >= 950_000_000, $"eval_duration {evalDuration}");
        Assert.True(final.GetProperty("total_duration").GetInt64() >= evalDuration);
        var rate = tokens / (evalDuration / 1e9);
        Assert.True(rate <= PacedPairServer.PacedTokensPerSecond * 1.05, $"rate {rate:F1} tok/s is above the ceiling");
    }

    [Fact]
    public async Task WithoutACeiling_TheSameRequestIsMuchFaster()
    {
        await unpaced.WaitUntilIdleAsync();
        var (lines, _) = await StreamWithArrivalTimes(unpaced, numPredict: 100);

        var tokens = lines[^1].GetProperty("eval_count").GetInt32();
        Assert.Equal(100, tokens);
        // Measured against what a 50 tokens/s ceiling would force on the same count (1.98 s at least). The model alone
        // takes about a tenth of that, but this test shares two cores with the rest of the suite: a quarter failed once
        // in CI on a stolen host, while a ceiling can never get under the whole. Half keeps the two far apart.
        // (eval_duration is in nanoseconds, a tick is 100.)
        var paced = TimeSpan.FromSeconds((tokens - 1) / PacedPairServer.PacedTokensPerSecond);
        var took = TimeSpan.FromTicks(lines[^1].GetProperty("eval_duration").GetInt64() / 100);
        Assert.True(took < paced / 2, $"{tokens} unpaced tokens took {took.TotalMilliseconds:F0} ms (a 50 tokens/s ceiling: {paced.TotalMilliseconds:F0} ms)");
    }

    private static async Task<(List<System.Text.Json.JsonElement> Lines, List<TimeSpan> Arrivals)> StreamWithArrivalTimes(LocalOllamaServer server, int numPredict)
    {
        var started = Stopwatch.GetTimestamp();
        await using var call = new StreamingCall(server.Http, "/api/generate", OllamaHttp.Generate("Once upon a time", numPredict: numPredict));
        var lines = new List<System.Text.Json.JsonElement>();
        var arrivals = new List<TimeSpan>();
        while (await call.ReadLineAsync() is { } line)
        {
            lines.Add(line);
            arrivals.Add(Stopwatch.GetElapsedTime(started));
        }
        Assert.True(lines.Count > 2);
        return (lines, arrivals);
    }
}
