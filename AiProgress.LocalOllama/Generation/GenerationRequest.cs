using AiProgress.LocalOllama.Models;

namespace AiProgress.LocalOllama.Generation;

/// <summary>One completion to run: the prompt as text, plus the knobs Ollama's options carry.</summary>
internal sealed record GenerationRequest
{
    public required LoadedModel Model { get; init; }
    public required string Prompt { get; init; }

    /// <summary>Token ids returned by an earlier /api/generate, put before the prompt.</summary>
    public IReadOnlyList<int> PreviousContext { get; init; } = [];

    public required SamplingSettings Sampling { get; init; }

    /// <summary>Most tokens to generate; null means until end of generation or a full context.</summary>
    public int? MaxTokens { get; init; }

    public IReadOnlyList<string> Stop { get; init; } = [];
    public required int ContextSize { get; init; }

    /// <summary>"generate" or "chat", for the trace.</summary>
    public required string Operation { get; init; }

    /// <summary>Stopwatch timestamp of the request's arrival, for total_duration and time to first token.</summary>
    public required long ReceivedAt { get; init; }
}

internal sealed record SamplingSettings(float Temperature, int TopK, float TopP, uint Seed)
{
    /// <summary>Ollama's defaults.</summary>
    public const float DefaultTemperature = 0.8f;
    public const int DefaultTopK = 40;
    public const float DefaultTopP = 0.9f;

    public bool IsGreedy => Temperature <= 0;
}
