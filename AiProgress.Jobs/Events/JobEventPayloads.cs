using System.Text.Json.Serialization;

namespace AiProgress.Jobs.Events;

/// <summary>The SSE event names of the contract.</summary>
public static class JobEventTypes
{
    public const string Progress = "progress";
    public const string Text = "text";
    public const string Complete = "complete";
    public const string Error = "error";
    public const string Timeout = "timeout";

    public static bool IsTerminal(string type) => type is Complete or Error;
}

/// <summary>The contract's <c>phase</c> of a job that is not over: what is happening now, in words a person understands.</summary>
public static class JobPhases
{
    public const string Queued = "queued";
    public const string LoadingModel = "loading_model";
    public const string ReadingPrompt = "reading_prompt";
    public const string Generating = "generating";
    public const string Stalled = "stalled";
}

/// <summary>Why a job is <see cref="JobPhases.Stalled"/>.</summary>
public static class StalledReasons
{
    /// <summary>The job's worker stopped answering; another will take it up.</summary>
    public const string WorkerLost = "worker_lost";
    /// <summary>The model server is down or refusing; the job waits, it is not failed.</summary>
    public const string LlmUnavailable = "llm_unavailable";
    /// <summary>A retry after an error, with backoff.</summary>
    public const string Retrying = "retrying";
}

public sealed record ProgressPayload(
    string Status,
    int Progress,
    int CurrentTokens,
    double TokensPerSecond,
    long ElapsedTime,
    long? EstimatedRemaining,
    long Timestamp,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Attempt = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? QueuePosition = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Phase = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? StalledReason = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? ExpectedTokens = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? EstimatedRemainingLow = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? EstimatedRemainingHigh = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? EstimatedStart = null);

public sealed record TextPayload(
    int Offset,
    string Delta,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] bool Reset = false);

public sealed record CompletePayload(
    string Status,
    int TotalTokens,
    int PromptTokens,
    int CompletionTokens,
    double TokensPerSecond,
    long ElapsedTime);

/// <summary>Body of both the <c>error</c> (failed, cancelled) and the <c>timeout</c> events.</summary>
public sealed record ErrorPayload(string Status, string Error);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(ProgressPayload))]
[JsonSerializable(typeof(TextPayload))]
[JsonSerializable(typeof(CompletePayload))]
[JsonSerializable(typeof(ErrorPayload))]
public sealed partial class JobEventJsonContext : JsonSerializerContext;
