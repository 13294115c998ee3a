using System.Text.Json.Serialization;
using AiProgress.Jobs.Data;
using AiProgress.Jobs.Events;

namespace AiProgress.Api.Generation;

/// <param name="Traceparent">W3C traceparent of the request that created the job (same trace as the job), so a
/// browser can put its own spans (stream, first event, render) into the job's trace. Omitted when untraced.</param>
public sealed record CreatedJobResponse(
    string JobId,
    string Status,
    long QueuePosition,
    string StatusUrl,
    string ProgressUrl,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Traceparent = null);

public sealed record JobStatusResponse(
    string JobId,
    string Status,
    string Model,
    double ProgressPercentage,
    int CurrentTokens,
    double TokensPerSecond,
    long ElapsedTime,
    long? EstimatedTimeRemaining,
    long? QueuePosition,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? EstimatedStart,
    string? Phase,
    int? PromptTokens,
    int? CompletionTokens,
    int? TotalTokens,
    DateTime CreatedAt,
    DateTime? StartedAt,
    DateTime? CompletedAt,
    DateTime? LastUpdateAt,
    string? ErrorMessage,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Text)
{
    public static JobStatusResponse From(GenerationJob job, long? queuePosition, bool includeText, long? estimatedStart = null) => new(
        job.JobId, job.Status, job.Model, job.ProgressPercentage, job.CurrentTokens, job.TokensPerSecond,
        job.ElapsedTime, job.EstimatedTimeRemaining, queuePosition, estimatedStart,
        JobStatus.IsTerminal(job.Status) ? null : JobEvents.PhaseOf(job.Status, job.CurrentTokens), job.PromptTokens, job.CompletionTokens,
        job.TotalTokens, job.CreatedAt, job.StartedAt, job.CompletedAt, job.LastUpdateAt,
        job.ErrorMessage, includeText ? job.GeneratedText : null);
}

public sealed record JobListResponse(IReadOnlyList<JobStatusResponse> Items);
