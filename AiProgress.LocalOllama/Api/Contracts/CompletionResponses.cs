namespace AiProgress.LocalOllama.Api.Contracts;

/// <summary>
/// One NDJSON line of /api/generate (with <see cref="Response"/>) or /api/chat (with <see cref="Message"/>).
/// Null members are left out, so the streamed lines stay small and the statistics appear only on the last.
/// </summary>
internal sealed record CompletionLine
{
    public required string Model { get; init; }
    public required DateTime CreatedAt { get; init; }
    public string? Response { get; init; }
    public ChatMessage? Message { get; init; }
    public required bool Done { get; init; }
    public string? DoneReason { get; init; }
    public int[]? Context { get; init; }
    public long? TotalDuration { get; init; }
    public long? LoadDuration { get; init; }
    public int? PromptEvalCount { get; init; }
    public long? PromptEvalDuration { get; init; }
    public int? EvalCount { get; init; }
    public long? EvalDuration { get; init; }
}

internal sealed record ErrorResponse(string Error);
