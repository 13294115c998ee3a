namespace AiProgress.LocalOllama.Generation;

/// <summary>Either a piece of text or, last of all, the summary of the run.</summary>
internal readonly record struct GenerationUpdate(string? Text, GenerationSummary? Summary);

internal sealed record GenerationSummary
{
    public required DoneReason DoneReason { get; init; }
    public required int PromptEvalCount { get; init; }
    public required TimeSpan PromptEvalDuration { get; init; }
    public required int EvalCount { get; init; }
    public required TimeSpan EvalDuration { get; init; }
    public required TimeSpan LoadDuration { get; init; }
    public required TimeSpan TotalDuration { get; init; }

    /// <summary>Prompt and generated token ids, as Ollama returns in "context".</summary>
    public required IReadOnlyList<int> Context { get; init; }
}

internal enum DoneReason
{
    Stop,
    Length,
}
