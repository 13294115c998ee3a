namespace AiProgress.Testing;

/// <summary>What the scripted Ollama server does for one chat call: exact timings, stalls, breaks and errors.</summary>
public sealed record OllamaScript
{
    /// <summary>Tokens to stream (capped by the request's num_predict, which then ends with done_reason "length").</summary>
    public int Tokens { get; init; } = 20;
    /// <summary>Token i is written at start + i × Interval: a fixed schedule, so timer slack never lowers the rate.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromMilliseconds(5);
    /// <summary>The text of token i; by default <see cref="Piece"/>, so tests know the exact text.</summary>
    public Func<int, string> Content { get; init; } = Piece;
    /// <summary>"Reading the prompt": nothing is sent for this long.</summary>
    public TimeSpan FirstTokenDelay { get; init; } = TimeSpan.Zero;
    /// <summary>After this many tokens the server goes silent, connection open, until the client leaves.</summary>
    public int? StallAfter { get; init; }
    /// <summary>After this many tokens the connection is cut without the final line.</summary>
    public int? CutAfter { get; init; }
    /// <summary>Answer with this HTTP status and Ollama's error body instead of streaming.</summary>
    public int? FailWithStatus { get; init; }
    public int PromptTokens { get; init; } = 7;
    /// <summary>No token before this completes (after <see cref="FirstTokenDelay"/>): lets every stream start at once, once all watchers are there.</summary>
    public Task? StartGate { get; init; }
    /// <summary>
    /// After the gate each stream first waits a random part of one <see cref="Interval"/>: streams out of step, as
    /// independent users' jobs are. Without it every stream writes token i at the same instant, as one batching
    /// server's step does.
    /// </summary>
    public bool OutOfStep { get; init; }

    public static string Piece(int index) => $"w{index} ";

    public static OllamaScript Steady(int tokens, double tokensPerSecond) =>
        new() { Tokens = tokens, Interval = TimeSpan.FromSeconds(1 / tokensPerSecond) };

    /// <summary>As many tokens as each request asks for, each "t&lt;microseconds&gt; " of the moment it was written (<see cref="MicroClock"/>).</summary>
    public static OllamaScript Timestamped(double tokensPerSecond, TimeSpan firstTokenDelay = default, Task? startGate = null, bool outOfStep = false) => new()
    {
        StartGate = startGate,
        OutOfStep = outOfStep,
        Tokens = int.MaxValue,
        Interval = tokensPerSecond > 0 ? TimeSpan.FromSeconds(1 / tokensPerSecond) : TimeSpan.Zero,
        FirstTokenDelay = firstTokenDelay,
        Content = _ => MicroClock.Token(MicroClock.NowMicros),
    };
}
