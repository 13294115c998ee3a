using System.Buffers;
using System.Text;
using System.Text.Json;
using AiProgress.Jobs.Data;
using AiProgress.Jobs.Lifecycle;

namespace AiProgress.Jobs.Events;

/// <summary>
/// The contract's live events, made in one place for everyone who sends them: the worker's live events, the
/// API's events made from a row (late watchers, the Redis fallback) and the API's own ends (cancel, timeout).
/// </summary>
public static class JobEvents
{
    public const string CancelledMessage = "cancelled";

    public static (string Type, string Data) Progress(
        string status, ProgressSnapshot numbers, DateTimeOffset now, int? attempt = null, long? queuePosition = null,
        string? phase = null, string? stalledReason = null, long? estimatedStart = null) =>
        (JobEventTypes.Progress, Serialize(new ProgressPayload(
            status, (int)numbers.Percentage, numbers.Tokens, numbers.TokensPerSecond, numbers.ElapsedMs,
            numbers.EstimatedRemainingMs, now.ToUnixTimeSeconds(), attempt, queuePosition,
            phase ?? PhaseOf(status, numbers.Tokens), phase == JobPhases.Stalled ? stalledReason : null,
            numbers.ExpectedTokens, numbers.EstimatedRemainingLowMs, numbers.EstimatedRemainingHighMs, estimatedStart)));

    /// <summary>The same progress, marked stalled for <paramref name="reason"/> (numbers as they were; no ETA while stalled).</summary>
    public static (string Type, string Data) Stalled(ProgressPayload last, string reason, DateTimeOffset now) =>
        (JobEventTypes.Progress, Serialize(last with
        {
            EstimatedRemaining = null,
            EstimatedRemainingLow = null,
            EstimatedRemainingHigh = null,
            Timestamp = now.ToUnixTimeSeconds(),
            Phase = JobPhases.Stalled,
            StalledReason = reason,
        }));

    /// <summary>The phase a job's status and token count imply, where nothing more precise is known.</summary>
    public static string PhaseOf(string status, int tokens) => status switch
    {
        JobStatus.Queued => JobPhases.Queued,
        _ when tokens == 0 => JobPhases.ReadingPrompt,
        _ => JobPhases.Generating,
    };

    /// <summary>What a watcher is shown before anything happened: processing, nothing yet.</summary>
    public static (string Type, string Data) NothingYet(DateTimeOffset now) =>
        Progress(JobStatus.Processing, new ProgressSnapshot(0, 0, 0, null, 0, 0), now, phase: JobPhases.ReadingPrompt);

    public static (string Type, string Data) Text(int offset, string delta, bool reset = false) =>
        (JobEventTypes.Text, Serialize(new TextPayload(offset, delta, reset)));

    public static (string Type, string Data) Completed(FinalCounts counts, long elapsedMs) =>
        (JobEventTypes.Complete, Serialize(new CompletePayload(JobStatus.Completed,
            counts.PromptTokens + counts.CompletionTokens, counts.PromptTokens, counts.CompletionTokens,
            counts.TokensPerSecond, elapsedMs)));

    public static (string Type, string Data) Failed(string message) =>
        (JobEventTypes.Error, Serialize(new ErrorPayload(JobStatus.Failed, message)));

    public static (string Type, string Data) Cancelled() =>
        (JobEventTypes.Error, Serialize(new ErrorPayload(JobStatus.Cancelled, CancelledMessage)));

    public static (string Type, string Data) StreamTimeout() =>
        (JobEventTypes.Timeout, Serialize(new ErrorPayload(JobStatus.Processing, "stream timeout")));

    /// <summary>The event that describes a row read from MySQL: its end, or its progress (with its place in the queue).</summary>
    public static (string Type, string Data) FromRow(GenerationJob row, long? queuePosition, DateTimeOffset now, long? estimatedStart = null) => row.Status switch
    {
        JobStatus.Completed => Completed(
            new FinalCounts(row.PromptTokens ?? 0, row.CompletionTokens ?? row.CurrentTokens, row.TokensPerSecond), row.ElapsedTime),
        JobStatus.Failed => Failed(row.ErrorMessage ?? JobStatus.Failed),
        JobStatus.Cancelled => Cancelled(),
        _ => Progress(row.Status,
            new ProgressSnapshot(row.CurrentTokens, row.TokensPerSecond, row.ElapsedTime, row.EstimatedTimeRemaining,
                row.ProgressPercentage, row.GeneratedText.Length),
            now, row.Attempt > 0 ? row.Attempt : null, queuePosition, estimatedStart: estimatedStart),
    };

    public static ProgressPayload ReadProgress(string data) => JsonSerializer.Deserialize(data, JobEventJsonContext.Default.ProgressPayload)!;
    /// <summary>The <c>status</c> every progress, complete and error event carries.</summary>
    // Read with a forward-only reader over the data's bytes, not a JsonDocument: the API reads it for every progress
    // event of every job it follows. A known status comes back as the shared constant, not a new string.
    public static string? ReadStatus(string data)
    {
        var length = Encoding.UTF8.GetByteCount(data);
        var rented = length > 1024 ? ArrayPool<byte>.Shared.Rent(length) : null;
        try
        {
            Span<byte> buffer = rented is not null ? rented : stackalloc byte[1024];
            var reader = new Utf8JsonReader(buffer[..Encoding.UTF8.GetBytes(data, buffer)]);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw new JsonException("An event's data is not a JSON object.");
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isStatus = reader.ValueTextEquals("status"u8);
                reader.Read();
                if (isStatus)
                {
                    return StatusValue(ref reader);
                }

                reader.Skip();
            }

            return null;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private static string? StatusValue(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            foreach (var status in JobStatus.All)
            {
                if (reader.ValueTextEquals(status))
                {
                    return status;
                }
            }
        }

        // Null reads as null; any other token throws, as a status that is not a string should.
        return reader.GetString();
    }

    public static TextPayload ReadText(string data) => JsonSerializer.Deserialize(data, JobEventJsonContext.Default.TextPayload)!;

    private static string Serialize(ProgressPayload payload) => JsonSerializer.Serialize(payload, JobEventJsonContext.Default.ProgressPayload);
    private static string Serialize(TextPayload payload) => JsonSerializer.Serialize(payload, JobEventJsonContext.Default.TextPayload);
    private static string Serialize(CompletePayload payload) => JsonSerializer.Serialize(payload, JobEventJsonContext.Default.CompletePayload);
    private static string Serialize(ErrorPayload payload) => JsonSerializer.Serialize(payload, JobEventJsonContext.Default.ErrorPayload);
}
