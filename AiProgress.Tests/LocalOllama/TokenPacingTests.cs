using System.Diagnostics;
using AiProgress.LocalOllama.Generation;

namespace AiProgress.Tests.LocalOllama;

public sealed class TokenPacingTests
{
    [Fact]
    public void ZeroMeansNoCeiling()
    {
        var pacing = new TokenPacing(0);
        var started = Stopwatch.GetTimestamp();

        for (var i = 0; i < 1000; i++) pacing.WaitForNext(CancellationToken.None);

        Assert.True(Stopwatch.GetElapsedTime(started) < TimeSpan.FromMilliseconds(50));
    }

    [Fact]
    public void EachTokenWaitsAFullIntervalAfterTheOneBefore()
    {
        var pacing = new TokenPacing(50);
        var started = Stopwatch.GetTimestamp();

        for (var i = 0; i < 10; i++) pacing.WaitForNext(CancellationToken.None); // 10 intervals of 20 ms

        Assert.InRange(Stopwatch.GetElapsedTime(started), TimeSpan.FromMilliseconds(195), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void TimeLostToAStallIsNotMadeUpInABurst()
    {
        var pacing = new TokenPacing(50);
        pacing.WaitForNext(CancellationToken.None);
        Thread.Sleep(200); // the generating thread stalls for ten intervals
        pacing.WaitForNext(CancellationToken.None); // late already: no wait
        var started = Stopwatch.GetTimestamp();

        for (var i = 0; i < 5; i++) pacing.WaitForNext(CancellationToken.None);

        Assert.InRange(Stopwatch.GetElapsedTime(started), TimeSpan.FromMilliseconds(95), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void CancellingEndsTheWaitWithOperationCanceled()
    {
        var pacing = new TokenPacing(1.0 / 60); // one token a minute
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));
        var started = Stopwatch.GetTimestamp();

        Assert.Throws<OperationCanceledException>(() => pacing.WaitForNext(cancel.Token));

        Assert.True(Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(5));
    }
}
