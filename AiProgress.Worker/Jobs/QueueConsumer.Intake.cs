using AiProgress.Jobs;
using AiProgress.Jobs.Queue;
using AiProgress.Jobs.Telemetry;
using StackExchange.Redis;

namespace AiProgress.Worker.Jobs;

/// <summary>How the consumer hears of jobs and takes them: the wake and cancel channels, orphans first, then new entries.</summary>
public sealed partial class QueueConsumer
{
    private async Task SubscribeAsync(CancellationToken stoppingToken)
    {
        while (true)
        {
            try
            {
                await queue.EnsureCreatedAsync();
                var subscriber = redis.GetSubscriber();
                await subscriber.SubscribeAsync(RedisKeys.QueueWake, (_, _) => _wake.Writer.TryWrite(true));
                await subscriber.SubscribeAsync(RedisKeys.Cancel, (_, jobId) => active.Stop(jobId!, StopReason.Cancelled));
                _listening = true;
                return;
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                logger.LogWarning(ex, "Redis is not reachable yet; retrying");
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
    }

    /// <summary>Entries one read takes at most: a worker with thousands of free slots fills them in a few round trips.</summary>
    private const int MaxTakenAtOnce = 100;

    private async Task<IReadOnlyList<QueueEntry>> TakeAsync(WorkerOptions settings, int count)
    {
        using var untraced = Untraced.Begin();
        try
        {
            if (time.GetElapsedTime(_lastOrphanCheck) >= settings.OrphanCheckInterval)
            {
                var orphan = await queue.ClaimOrphanAsync(identity.ConsumerName, liveness.AliveAmongAsync, active.RunsEntry,
                    orphanIdle: TimeSpan.FromMilliseconds(500), settings.StallTimeout);
                if (orphan is not null)
                {
                    // Another may be waiting right behind it: look again at once.
                    WorkerTelemetry.JobsTakenOver.Add(1);
                    logger.LogInformation("Took over job {JobId} from a worker that died or stalled", orphan.JobId);
                    return [orphan];
                }

                _lastOrphanCheck = time.GetTimestamp();
            }

            return await queue.TakeNewAsync(identity.ConsumerName, count);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            logger.LogWarning(ex, "Could not read the job queue");
            return [];
        }
    }

    private async Task WaitForWakeAsync(TimeSpan pollInterval, CancellationToken stoppingToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        timeout.CancelAfter(Min(pollInterval, options.Value.OrphanCheckInterval));
        try
        {
            await _wake.Reader.ReadAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
        }
    }
}
