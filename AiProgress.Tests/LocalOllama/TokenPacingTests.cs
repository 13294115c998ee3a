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

        pacing.WaitForNext(1_000_000, CancellationToken.None);

        Assert.True(Stopwatch.GetElapsedTime(started) < TimeSpan.FromMilliseconds(50));
    }

    [Fact]
    public void WaitsUntilTheNextTokenIsDue()
    {
        var pacing = new TokenPacing(100);
        var started = Stopwatch.GetTimestamp();

        pacing.WaitForNext(20, CancellationToken.None); // due at 0.2 s

        var elapsed = Stopwatch.GetElapsedTime(started);
        Assert.InRange(elapsed, TimeSpan.FromMilliseconds(180), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void CancellingEndsTheWaitWithOperationCanceled()
    {
        var pacing = new TokenPacing(1);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));
        var started = Stopwatch.GetTimestamp();

        Assert.Throws<OperationCanceledException>(() => pacing.WaitForNext(60, cancel.Token)); // due at 60 s

        Assert.True(Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(5));
    }
}
