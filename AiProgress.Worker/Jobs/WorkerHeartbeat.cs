using AiProgress.Jobs.Liveness;
using AiProgress.Jobs.Queue;
using AiProgress.Jobs.Telemetry;
using Microsoft.Extensions.Options;

namespace AiProgress.Worker.Jobs;

/// <summary>
/// This worker's signs of life, on a timer of their own so that no MySQL or Ollama call can delay them: the
/// liveness mark in Redis (a dead worker's jobs are taken over once it expires) and the idle reset of the queue
/// entries it runs (the stall-timeout backstop).
/// </summary>
public sealed class WorkerHeartbeat(
    WorkerLiveness liveness,
    JobQueue queue,
    ActiveJobs active,
    WorkerIdentity identity,
    IOptions<WorkerOptions> options,
    TimeProvider time,
    ILogger<WorkerHeartbeat> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var untraced = Untraced.Begin();
        var settings = options.Value;
        var lastEntryHeartbeat = time.GetTimestamp();
        using var timer = new PeriodicTimer(settings.LivenessInterval, time);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await liveness.MarkAliveAsync(identity.ConsumerName, settings.LivenessTtl);
                if (time.GetElapsedTime(lastEntryHeartbeat) >= settings.StallTimeout / 3)
                {
                    lastEntryHeartbeat = time.GetTimestamp();
                    await queue.HeartbeatAsync(identity.ConsumerName, active.Snapshot().Select(j => j.Entry.EntryId).ToList());
                    WorkerTelemetry.ReportQueueLength(await queue.LengthAsync());
                }
            }
            catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException)
            {
                logger.LogWarning(ex, "Could not send this worker's heartbeat to Redis");
            }

            try
            {
                await timer.WaitForNextTickAsync(stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            // Stopped on purpose, its jobs handed back: nobody needs to wait for the mark to expire.
            await liveness.ReleaseAsync(identity.ConsumerName);
        }
        catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException)
        {
            logger.LogDebug(ex, "Could not remove this worker's liveness mark");
        }
    }
}
