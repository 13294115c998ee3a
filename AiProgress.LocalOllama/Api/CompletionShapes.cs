using AiProgress.LocalOllama.Api.Contracts;
using AiProgress.LocalOllama.Generation;

namespace AiProgress.LocalOllama.Api;

internal sealed class GenerateShape(string model, bool includeContext) : ICompletionShape
{
    public CompletionLine Piece(string text) =>
        new() { Model = model, CreatedAt = DateTime.UtcNow, Response = text, Done = false };

    public CompletionLine Final(GenerationSummary summary, string wholeText) =>
        CompletionLines.Final(model, summary) with
        {
            Response = wholeText,
            Context = includeContext ? [.. summary.Context] : null,
        };
}

internal sealed class ChatShape(string model) : ICompletionShape
{
    public CompletionLine Piece(string text) =>
        new() { Model = model, CreatedAt = DateTime.UtcNow, Message = Assistant(text), Done = false };

    public CompletionLine Final(GenerationSummary summary, string wholeText) =>
        CompletionLines.Final(model, summary) with { Message = Assistant(wholeText) };

    private static ChatMessage Assistant(string text) => new() { Role = "assistant", Content = text };
}

internal static class CompletionLines
{
    public static CompletionLine Final(string model, GenerationSummary summary) => new()
    {
        Model = model,
        CreatedAt = DateTime.UtcNow,
        Done = true,
        DoneReason = summary.DoneReason == DoneReason.Length ? "length" : "stop",
        TotalDuration = Nanoseconds(summary.TotalDuration),
        LoadDuration = Nanoseconds(summary.LoadDuration),
        PromptEvalCount = summary.PromptEvalCount,
        PromptEvalDuration = Nanoseconds(summary.PromptEvalDuration),
        EvalCount = summary.EvalCount,
        EvalDuration = Nanoseconds(summary.EvalDuration),
    };

    /// <summary>What Ollama answers to a request with nothing to generate: it only (re)loads the model.</summary>
    public static CompletionLine Loaded(string model, bool unload) => new()
    {
        Model = model,
        CreatedAt = DateTime.UtcNow,
        Done = true,
        DoneReason = unload ? "unload" : "load",
    };

    private static long Nanoseconds(TimeSpan duration) => duration.Ticks * (1_000_000_000 / TimeSpan.TicksPerSecond);
}
