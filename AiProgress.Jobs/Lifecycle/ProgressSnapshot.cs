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

/// <summary>One job's progress for the batched row write, fenced by its attempt.</summary>
public sealed record ProgressRow(string JobId, int Attempt, ProgressSnapshot Snapshot, string Text);

/// <summary>The final numbers of a completed job.</summary>
public sealed record FinalCounts(int PromptTokens, int CompletionTokens, double TokensPerSecond);
