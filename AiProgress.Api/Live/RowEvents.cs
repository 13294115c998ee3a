using AiProgress.Jobs.Data;
using AiProgress.Jobs.Events;

namespace AiProgress.Api.Live;

/// <summary>The contract's event for a job row read from MySQL.</summary>
internal static class RowEvents
{
    public static (string Type, string Data) Describe(GenerationJob row, long? queuePosition, TimeProvider time) => row.Status switch
    {
        JobStatus.Completed => (JobEventTypes.Complete, JobEventStream.Serialize(new CompletePayload(
            JobStatus.Completed, row.TotalTokens ?? 0, row.PromptTokens ?? 0, row.CompletionTokens ?? row.CurrentTokens,
            row.TokensPerSecond, row.ElapsedTime))),
        JobStatus.Failed => (JobEventTypes.Error, JobEventStream.Serialize(new ErrorPayload(JobStatus.Failed, row.ErrorMessage ?? "failed"))),
        JobStatus.Cancelled => (JobEventTypes.Error, JobEventStream.Serialize(new ErrorPayload(JobStatus.Cancelled, "cancelled"))),
        _ => (JobEventTypes.Progress, JobEventStream.Serialize(new ProgressPayload(
            row.Status, (int)row.ProgressPercentage, row.CurrentTokens, row.TokensPerSecond, row.ElapsedTime,
            row.EstimatedTimeRemaining, time.GetUtcNow().ToUnixTimeSeconds(),
            Attempt: row.Attempt > 0 ? row.Attempt : null, QueuePosition: queuePosition))),
    };
}
