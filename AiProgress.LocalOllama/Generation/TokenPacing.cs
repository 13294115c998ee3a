using System.Diagnostics;

namespace AiProgress.LocalOllama.Generation;

/// <summary>
/// Keeps a sequence at or below a token rate (LocalOllama:MaxTokensPerSecond); does nothing when the rate is 0.
/// Each token waits for a full interval after the one before: time lost to a stall is not made up in a burst,
/// which a watcher would see as a jump.
/// </summary>
internal sealed class TokenPacing(double maxTokensPerSecond)
{
    private long _previous;

    /// <summary>Blocks the generating thread (its own, never a pool thread) until the next token is due, or until cancelled.</summary>
    public void WaitForNext(CancellationToken cancellationToken)
    {
        if (maxTokensPerSecond <= 0)
        {
            return;
        }
        // Called just after a token went out: the first one's interval starts now, a later one's when the wait before it ended.
        var sincePrevious = _previous == 0 ? TimeSpan.Zero : Stopwatch.GetElapsedTime(_previous);
        var ahead = TimeSpan.FromSeconds(1 / maxTokensPerSecond) - sincePrevious;
        // WaitOne counts whole milliseconds and drops the rest: rounded up, the rate never goes over the ceiling.
        if (ahead > TimeSpan.Zero && cancellationToken.WaitHandle.WaitOne((int)Math.Ceiling(ahead.TotalMilliseconds)))
        {
            cancellationToken.ThrowIfCancellationRequested();
        }
        _previous = Stopwatch.GetTimestamp();
    }
}
