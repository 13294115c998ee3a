using AiProgress.Jobs.Data;
using AiProgress.Jobs.Events;
using Microsoft.EntityFrameworkCore;

namespace AiProgress.Jobs.Lifecycle;

/// <summary>
/// Every change of a job's row, for the API and the worker alike: create, begin an attempt, write progress,
/// complete, fail, cancel. Each is one guarded statement (status, and attempt where a worker writes), so a
/// worker that lost its job (taken over, cancelled) can never overwrite the newer truth, and a terminal job
/// never changes again.
/// </summary>
public sealed partial class JobLifecycle(IDbContextFactory<JobsDbContext> contexts, MySqlConnector.MySqlDataSource dataSource, TimeProvider time)
{
    public const int MaxErrorMessageLength = 1024;

    public async Task CreateAsync(GenerationJob job, CancellationToken cancellationToken)
    {
        job.Status = JobStatus.Queued;
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        db.Jobs.Add(job);
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>Takes back a job that was never queued (the queue refused it), so nothing is half written.</summary>
    public async Task WithdrawAsync(string jobId)
    {
        await using var db = await contexts.CreateDbContextAsync();
        await db.Jobs.Where(j => j.JobId == jobId && j.Status == JobStatus.Queued && j.Attempt == 0).ExecuteDeleteAsync();
    }

    /// <summary>
    /// Marks the job processing under the next attempt and returns it as this attempt sees it; null when it is
    /// terminal or unknown. The increment and the read share one transaction (the UPDATE holds the row lock), so
    /// two deliveries of one job can never both get the same attempt.
    /// </summary>
    public async Task<GenerationJob?> BeginAttemptAsync(string jobId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var updated = await db.Jobs
            .Where(j => j.JobId == jobId)
            .Where(JobStatus.IsActive)
            .ExecuteUpdateAsync(s => s
                .SetProperty(j => j.Status, JobStatus.Processing)
                .SetProperty(j => j.Attempt, j => j.Attempt + 1)
                .SetProperty(j => j.StartedAt, j => j.StartedAt ?? now)
                .SetProperty(j => j.LastUpdateAt, now), cancellationToken);
        if (updated == 0)
        {
            return null;
        }

        var job = await db.Jobs.AsNoTracking().SingleAsync(j => j.JobId == jobId, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return job;
    }

    /// <summary>
    /// Records the final numbers; true when the row is completed under this attempt (also when a retry finds it so),
    /// false when the job was no longer this attempt's to complete.
    /// </summary>
    public async Task<bool> CompleteAsync(string jobId, int attempt, FinalCounts counts, string text, long elapsedMs, CancellationToken cancellationToken) =>
        (await CompleteManyAsync([new Completion(jobId, attempt, counts, text, elapsedMs)], cancellationToken)).Contains(jobId);

    /// <summary>
    /// Ends the job failed, if <paramref name="attempt"/> still holds it; <paramref name="text"/> (when given)
    /// keeps what was generated. Giving up after too many attempts is the same transition without text.
    /// </summary>
    public async Task<bool> FailAsync(string jobId, int attempt, string message, string? text, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        message = message.Length > MaxErrorMessageLength ? message[..MaxErrorMessageLength] : message;
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Jobs
            .Where(j => j.JobId == jobId && j.Attempt == attempt)
            .Where(JobStatus.IsActive)
            .ExecuteUpdateAsync(s => s
                .SetProperty(j => j.Status, JobStatus.Failed)
                .SetProperty(j => j.ErrorMessage, message)
                .SetProperty(j => j.GeneratedText, j => text ?? j.GeneratedText)
                .SetProperty(j => j.EstimatedTimeRemaining, (long?)null)
                .SetProperty(j => j.LastUpdateAt, now)
                .SetProperty(j => j.CompletedAt, now), cancellationToken) == 1;
    }

    /// <summary>
    /// Gives the job back to the queue because the LLM server is down: queued again, its text kept, and this
    /// attempt not counted against the limit (an outage is nobody's fault). False when the attempt lost the job.
    /// </summary>
    public async Task<bool> HandBackForOutageAsync(string jobId, int attempt, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Jobs
            .Where(j => j.JobId == jobId && j.Status == JobStatus.Processing && j.Attempt == attempt)
            .ExecuteUpdateAsync(s => s
                .SetProperty(j => j.Status, JobStatus.Queued)
                .SetProperty(j => j.OutageHandbacks, j => j.OutageHandbacks + 1)
                .SetProperty(j => j.TokensPerSecond, 0.0)
                .SetProperty(j => j.EstimatedTimeRemaining, (long?)null)
                .SetProperty(j => j.LastUpdateAt, now), cancellationToken) == 1;
    }

    /// <summary>Queued jobs created before <paramref name="cutoff"/>: they can no longer finish in time.</summary>
    public async Task<IReadOnlyList<(string JobId, int Attempt)>> QueuedBeforeAsync(DateTime cutoff, int max, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var expired = await db.Jobs.AsNoTracking()
            .Where(j => j.Status == JobStatus.Queued && j.CreatedAt < cutoff)
            .OrderBy(j => j.CreatedAt).Take(max)
            .Select(j => new { j.JobId, j.Attempt })
            .ToListAsync(cancellationToken);
        return expired.Select(j => (j.JobId, j.Attempt)).ToList();
    }

    /// <summary>Ends a queued or processing job as cancelled, whatever attempt runs it; false when it was terminal.</summary>
    public async Task<bool> CancelAsync(string jobId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Jobs
            .Where(j => j.JobId == jobId)
            .Where(JobStatus.IsActive)
            .ExecuteUpdateAsync(s => s
                .SetProperty(j => j.Status, JobStatus.Cancelled)
                .SetProperty(j => j.ErrorMessage, JobEvents.CancelledMessage)
                .SetProperty(j => j.EstimatedTimeRemaining, (long?)null)
                .SetProperty(j => j.CompletedAt, now)
                .SetProperty(j => j.LastUpdateAt, now), cancellationToken) == 1;
    }
}
