using AiProgress.Jobs.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace AiProgress.Api.Retention;

/// <summary>
/// Deletes finished jobs older than <see cref="ApiOptions.RetainFinishedJobs"/>, in batches, on whichever API
/// replica holds the sweep lock. Their Redis events went long before, by TTL; the sweep removes any left.
/// </summary>
public sealed class RetentionSweeper(
    JobRemoval removal,
    IDbContextFactory<JobsDbContext> contexts,
    IOptions<ApiOptions> options,
    TimeProvider time,
    ILogger<RetentionSweeper> logger) : BackgroundService
{
    public const int BatchSize = 500;

    /// <summary>Raised after each sweep with the number of jobs it deleted (-1: another replica held the lock).</summary>
    public event Action<int>? Swept;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.RetentionSweepInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                Swept?.Invoke(await SweepAsync(stoppingToken));
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(ex, "The retention sweep failed; it runs again in {Interval}", options.Value.RetentionSweepInterval);
            }
        }
    }

    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        await using var sweepLock = await SweepLock.TryTakeAsync(contexts, cancellationToken);
        if (sweepLock is null)
        {
            return -1;
        }

        var cutoff = time.GetUtcNow().UtcDateTime - options.Value.RetainFinishedJobs;
        var total = 0;
        while (true)
        {
            var expired = await removal.ExpiredAsync(cutoff, BatchSize, cancellationToken);
            if (expired.Count == 0)
            {
                break;
            }

            var deleted = await removal.DeleteFinishedAsync(expired, cancellationToken);
            total += deleted;
            if (deleted == 0 || expired.Count < BatchSize)
            {
                break;
            }
        }

        if (total > 0)
        {
            logger.LogInformation("Retention: deleted {Count} jobs that finished before {Cutoff:o}", total, cutoff);
        }

        return total;
    }
}
