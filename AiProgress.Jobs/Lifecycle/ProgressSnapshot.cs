namespace AiProgress.Jobs.Lifecycle;

/// <summary>A job's live numbers at one moment, as the worker computes them and the row and events carry them.</summary>
public sealed record ProgressSnapshot(
    int Tokens,
    double TokensPerSecond,
    long ElapsedMs,
    long? EstimatedRemainingMs,
    double Percentage,
    int TextLength,
    int? ExpectedTokens = null,
    long? EstimatedRemainingLowMs = null,
    long? EstimatedRemainingHighMs = null);

/// <summary>One job's progress for the batched row write, fenced by its attempt; its text as the worker holds it, not copied.</summary>
public sealed record ProgressRow(string JobId, int Attempt, ProgressSnapshot Snapshot, ReadOnlyMemory<char> Text)
{
    public ProgressRow(string jobId, int attempt, ProgressSnapshot snapshot, string text) : this(jobId, attempt, snapshot, text.AsMemory())
    {
    }
}

/// <summary>The final numbers of a completed job.</summary>
public sealed record FinalCounts(int PromptTokens, int CompletionTokens, double TokensPerSecond);
