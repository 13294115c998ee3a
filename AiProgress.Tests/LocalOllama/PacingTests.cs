using System.Diagnostics;

namespace AiProgress.Tests.LocalOllama;

/// <summary>LocalOllama:MaxTokensPerSecond holds each stream at or below its ceiling.</summary>
[Collection(LocalOllamaCollection.Name)]
public sealed class PacingTests(PacedPairServer paced, DefaultServer unpaced)
{
    [Fact]
    public async Task ACeilingOf50TokensPerSecond_Spreads25TokensOverAtLeastAThirdOfASecond()
    {
        await paced.WaitUntilIdleAsync();
        var (lines, arrivals) = await StreamWithArrivalTimes(paced, numPredict: 25);

        var final = lines[^1];
        Assert.Equal(25, final.GetProperty("eval_count").GetInt32());
        // 24 waits of 20 ms: about 0.48 s; the client sees the pieces spread over that time.
        var spread = arrivals[^1] - arrivals[0];
        Assert.True(spread >= TimeSpan.FromSeconds(0.3), $"25 tokens arrived within {spread.TotalMilliseconds:F0} ms");
        Assert.True(spread < TimeSpan.FromSeconds(10), $"pacing is far too slow: {spread}");

        // eval_duration is in nanoseconds: at least 0.3 s of pacing is 3e8 (ticks or microseconds would be far less).
        var evalDuration = final.GetProperty("eval_duration").GetInt64();
        Assert.True(evalDuration >= 300_000_000, $"eval_duration {evalDuration}");
        Assert.True(final.GetProperty("total_duration").GetInt64() >= evalDuration);
        var rate = 25 / (evalDuration / 1e9);
        Assert.True(rate <= PacedPairServer.PacedTokensPerSecond * 1.1, $"rate {rate:F1} tok/s is above the ceiling");
    }

    [Fact]
    public async Task WithoutACeiling_TheSameRequestIsMuchFaster()
    {
        await unpaced.WaitUntilIdleAsync();
        var (lines, _) = await StreamWithArrivalTimes(unpaced, numPredict: 25);

        var evalDuration = lines[^1].GetProperty("eval_duration").GetInt64();
        Assert.True(evalDuration < 240_000_000, $"25 unpaced tokens took {evalDuration / 1e6:F0} ms (the ceiling case takes ~480 ms)");
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
