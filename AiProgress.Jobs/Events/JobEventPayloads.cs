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

public sealed record ProgressPayload(
    string Status,
    int Progress,
    int CurrentTokens,
    double TokensPerSecond,
    long ElapsedTime,
    long? EstimatedRemaining,
    long Timestamp,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Attempt = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? QueuePosition = null);

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
