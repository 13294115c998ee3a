using System.Diagnostics;
using AiProgress.Jobs;
using AiProgress.Jobs.Data;
using AiProgress.Jobs.Events;
using AiProgress.Jobs.Lifecycle;
using AiProgress.Jobs.Queue;
using Microsoft.EntityFrameworkCore;
using StackExchange.Redis;

namespace AiProgress.Api.Generation;

/// <summary>Creates, reads and cancels jobs: the row in MySQL is the truth, the queue and events follow it.</summary>
public sealed class JobService(
    IDbContextFactory<JobsDbContext> contexts,
    JobLifecycle lifecycle,
    JobQueue queue,
    JobEventStream events,
    QueueThroughput throughput,
    IConnectionMultiplexer redis,
    TimeProvider time,
    ILogger<JobService> logger)
{
    /// <summary>Inserts the row and enqueues it; when the queue cannot take it the row is removed again.</summary>
    public async Task<GenerationJob?> CreateAsync(string clientId, CreateJobRequest request, string model, CancellationToken cancellationToken)
    {
        var job = new GenerationJob
        {
            JobId = Guid.NewGuid().ToString(),
            ClientId = clientId,
            Prompt = request.Prompt,
            SystemPrompt = request.System,
            Model = model,
            MaxTokens = request.MaxTokens,
            Temperature = request.Temperature,
            CreatedAt = time.GetUtcNow().UtcDateTime,
        };

        // The job's trace: this producer span's context travels in the queue entry to the worker.
        using var enqueue = ApiTelemetry.Source.StartActivity("enqueue aiprogress:queue", ActivityKind.Producer);
        enqueue?.SetTag("messaging.system", "redis");
        enqueue?.SetTag("messaging.operation.type", "send");
        enqueue?.SetTag("aiprogress.job.id", job.JobId);
        enqueue?.SetTag("gen_ai.request.model", model);
        job.TraceParent = enqueue?.Id ?? Activity.Current?.Id;

        await lifecycle.CreateAsync(job, cancellationToken);
        try
        {
            enqueue?.SetTag("messaging.message.id", await queue.EnqueueAsync(job.JobId, job.TraceParent));
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            logger.LogWarning(ex, "The queue could not take job {JobId}; removing it", job.JobId);
            await lifecycle.WithdrawAsync(job.JobId);
            return null;
        }

        ApiTelemetry.JobsCreated.Add(1, new KeyValuePair<string, object?>("gen_ai.request.model", model));
        return job;
    }

    /// <summary>The client's own job, or null: another client's job is as unknown as a missing one.</summary>
    public async Task<GenerationJob?> FindAsync(string clientId, string jobId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Jobs.AsNoTracking().SingleOrDefaultAsync(j => j.JobId == jobId && j.ClientId == clientId, cancellationToken);
    }

    public async Task<GenerationJob?> ReloadAsync(string jobId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Jobs.AsNoTracking().SingleOrDefaultAsync(j => j.JobId == jobId, cancellationToken);
    }

    /// <summary>1 for the next job a worker will take; null unless the job is queued.</summary>
    public async Task<long?> QueuePositionAsync(GenerationJob job, CancellationToken cancellationToken)
    {
        if (job.Status != JobStatus.Queued)
        {
            return null;
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return 1 + await db.Jobs.LongCountAsync(j => j.Status == JobStatus.Queued && j.CreatedAt < job.CreatedAt, cancellationToken);
    }

    /// <summary>A queued job's place in line and when it should start (null, null unless queued).</summary>
    public async Task<(long? Position, long? EstimatedStart)> QueuePlaceAsync(GenerationJob job, CancellationToken cancellationToken)
    {
        var position = await QueuePositionAsync(job, cancellationToken);
        return position is { } place ? (place, await throughput.EstimatedStartAsync(job.Model, place, cancellationToken)) : (null, null);
    }

    public async Task<IReadOnlyList<GenerationJob>> ListAsync(string clientId, string? status, int limit, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var query = db.Jobs.AsNoTracking().Where(j => j.ClientId == clientId);
        if (status is not null)
        {
            query = query.Where(j => j.Status == status);
        }

        return await query.OrderByDescending(j => j.CreatedAt).Take(limit).ToListAsync(cancellationToken);
    }

    /// <summary>Ends a queued or processing job as cancelled; false when it was already terminal.</summary>
    public async Task<bool> CancelAsync(string jobId, CancellationToken cancellationToken)
    {
        if (!await lifecycle.CancelAsync(jobId, cancellationToken))
        {
            return false;
        }

        try
        {
            // The worker stops its Ollama stream on this note; its next fenced write would notice anyway.
            await redis.GetSubscriber().PublishAsync(RedisKeys.Cancel, jobId);
            await events.AppendAsync(jobId, JobEvents.Cancelled(), terminal: true);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            logger.LogWarning(ex, "Job {JobId} is cancelled in the database, but Redis could not be told", jobId);
        }

        ApiTelemetry.JobsCancelled.Add(1);
        return true;
    }
}
