namespace AiProgress.Tests.Infrastructure;

/// <summary>What the scripted Ollama server does for one chat call: exact timings, stalls, breaks and errors.</summary>
public sealed record OllamaScript
{
    /// <summary>Tokens to stream (capped by the request's num_predict, which then ends with done_reason "length").</summary>
    public int Tokens { get; init; } = 20;
    public TimeSpan Interval { get; init; } = TimeSpan.FromMilliseconds(5);
    /// <summary>"Reading the prompt": nothing is sent for this long.</summary>
    public TimeSpan FirstTokenDelay { get; init; } = TimeSpan.Zero;
    /// <summary>After this many tokens the server goes silent, connection open, until the client leaves.</summary>
    public int? StallAfter { get; init; }
    /// <summary>After this many tokens the connection is cut without the final line.</summary>
    public int? CutAfter { get; init; }
    /// <summary>Answer with this HTTP status and Ollama's error body instead of streaming.</summary>
    public int? FailWithStatus { get; init; }
    public int PromptTokens { get; init; } = 7;

    public static string Piece(int index) => $"w{index} ";

    public static OllamaScript Steady(int tokens, double tokensPerSecond) =>
        new() { Tokens = tokens, Interval = TimeSpan.FromSeconds(1 / tokensPerSecond) };
}
