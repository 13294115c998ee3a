using System.Diagnostics;

namespace AiProgress.LocalOllama.Generation;

/// <summary>Keeps a sequence at or below a token rate (LocalOllama:MaxTokensPerSecond); does nothing when the rate is 0.</summary>
internal sealed class TokenPacing(double maxTokensPerSecond)
{
    private readonly long _started = Stopwatch.GetTimestamp();

    /// <summary>Blocks the generating thread (its own, never a pool thread) until the next token is due, or until cancelled.</summary>
    public void WaitForNext(int tokensSoFar, CancellationToken cancellationToken)
    {
        if (maxTokensPerSecond <= 0)
        {
            return;
        }
        var due = TimeSpan.FromSeconds(tokensSoFar / maxTokensPerSecond);
        var ahead = due - Stopwatch.GetElapsedTime(_started);
        if (ahead > TimeSpan.Zero && cancellationToken.WaitHandle.WaitOne(ahead))
        {
            cancellationToken.ThrowIfCancellationRequested();
        }
    }
}
