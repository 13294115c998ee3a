using AiProgress.Jobs;
using AiProgress.Jobs.Data;
using Microsoft.EntityFrameworkCore;
using StackExchange.Redis;

namespace AiProgress.Api.Retention;

/// <summary>Deletes jobs for good: the row (prompt and text with it) and the job's live events in Redis.</summary>
public sealed class JobRemoval(IDbContextFactory<JobsDbContext> contexts, IConnectionMultiplexer redis, ILogger<JobRemoval> logger)
{
    /// <summary>How long a deleted job's events key stays a tombstone.</summary>
    public static readonly TimeSpan TombstoneTime = TimeSpan.FromMinutes(1);

    /// <summary>One client's job, after it was cancelled: a worker may still be winding it down.</summary>
    public async Task DeleteAsync(string clientId, string jobId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await db.Jobs.Where(j => j.JobId == jobId && j.ClientId == clientId).ExecuteDeleteAsync(CancellationToken.None);
        try
        {
            // Not DEL: a worker that has not yet heard of the cancel would recreate the stream with its next
            // append. A string under the key makes that XADD fail (WRONGTYPE) until the worker has stopped.
            await redis.GetDatabase().StringSetAsync(RedisKeys.JobEvents(jobId), "deleted", TombstoneTime);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            logger.LogWarning(ex, "Job {JobId} is deleted, but its live events could not be; they expire by themselves", jobId);
        }
    }

    /// <summary>Finished jobs that ended before <paramref name="cutoff"/>, oldest first, at most <paramref name="batch"/>.</summary>
    public async Task<IReadOnlyList<string>> ExpiredAsync(DateTime cutoff, int batch, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Jobs.AsNoTracking()
            .Where(j => (j.Status == JobStatus.Completed || j.Status == JobStatus.Failed || j.Status == JobStatus.Cancelled)
                && j.CompletedAt < cutoff)
            .OrderBy(j => j.CompletedAt)
            .Select(j => j.JobId)
            .Take(batch)
            .ToListAsync(cancellationToken);
    }

    /// <summary>Deletes finished jobs by id (only if still finished), with their live events.</summary>
    public async Task<int> DeleteFinishedAsync(IReadOnlyList<string> jobIds, CancellationToken cancellationToken)
    {
        // Events first: a job whose row is gone never has events left behind (without Redis, their TTL ends them).
        try
        {
            await redis.GetDatabase().KeyDeleteAsync(jobIds.Select(RedisKeys.JobEvents).ToArray());
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            logger.LogWarning(ex, "Retention: could not delete the live events of {Count} jobs; they expire by themselves", jobIds.Count);
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Jobs
            .Where(j => jobIds.Contains(j.JobId)
                && (j.Status == JobStatus.Completed || j.Status == JobStatus.Failed || j.Status == JobStatus.Cancelled))
            .ExecuteDeleteAsync(cancellationToken);
    }
}
