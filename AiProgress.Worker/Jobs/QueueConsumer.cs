using AiProgress.Jobs.Telemetry;
using System.Collections.Concurrent;
using System.Threading.Channels;
using AiProgress.Jobs;
using AiProgress.Jobs.Queue;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace AiProgress.Worker.Jobs;

/// <summary>
/// Takes jobs from the queue, up to <see cref="WorkerOptions.MaxConcurrentJobs"/> at once: new entries first,
/// then entries whose worker went silent. Idle, it sleeps until Pub/Sub says a job arrived (or the poll interval).
/// </summary>
public sealed class QueueConsumer(
    JobQueue queue,
    JobRunner runner,
    ActiveJobs active,
    WorkerIdentity identity,
    IConnectionMultiplexer redis,
    IOptions<WorkerOptions> options,
    TimeProvider time,
    ILogger<QueueConsumer> logger) : BackgroundService
{
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly ConcurrentDictionary<Task, bool> _running = new();

    private volatile bool _listening;
    private long _lastRound = time.GetTimestamp();

    /// <summary>How the loop is doing, from the loop itself: listening, gone round lately, or crashed.</summary>
    public ConsumerLiveness Liveness()
    {
        var limit = TimeSpan.FromSeconds(5) + 3 * options.Value.PollInterval;
        var crash = ExecuteTask is { IsFaulted: true } task ? task.Exception : null;
        var running = _listening && ExecuteTask is not { IsCompleted: true };
        return new ConsumerLiveness(running, time.GetElapsedTime(Interlocked.Read(ref _lastRound)), limit, crash);
    }

    private void MarkRound() => Interlocked.Exchange(ref _lastRound, time.GetTimestamp());

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        await SubscribeAsync(stoppingToken);
        logger.LogInformation("Worker {Consumer} takes up to {Max} jobs at once", identity.ConsumerName, settings.MaxConcurrentJobs);

        using var slots = new SemaphoreSlim(settings.MaxConcurrentJobs);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                MarkRound();
                // Waits for a free slot in rounds, so that a worker busy with long jobs still shows it is alive.
                while (!await slots.WaitAsync(settings.PollInterval, stoppingToken))
                {
                    MarkRound();
                }

                var entry = await TakeAsync(settings.StallTimeout);
                if (entry is null)
                {
                    slots.Release();
                    await WaitForWakeAsync(settings.PollInterval, stoppingToken);
                    continue;
                }

                if (active.Adopt(entry) is { } replaced)
                {
                    slots.Release();
                    if (replaced.EntryId != entry.EntryId)
                    {
                        await CompleteQuietlyAsync(replaced.EntryId);
                    }

                    logger.LogInformation("Job {JobId} was delivered again while running here; its run adopts entry {EntryId}", entry.JobId, entry.EntryId);
                    continue;
                }

                var run = Task.Run(() => runner.RunAsync(entry, stoppingToken), CancellationToken.None);
                _running[run] = true;
                _ = run.ContinueWith(t =>
                {
                    _running.TryRemove(t, out _);
                    slots.Release();
                    if (t.Exception is { } ex)
                    {
                        logger.LogError(ex, "Job {JobId} runner crashed", entry.JobId);
                    }
                }, TaskScheduler.Default);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        // Runners see the same token and hand their jobs back; let them finish that.
        await Task.WhenAll(_running.Keys).WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

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
            catch (RedisException ex)
            {
                logger.LogWarning(ex, "Redis is not reachable yet; retrying");
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
    }

    private async Task CompleteQuietlyAsync(string entryId)
    {
        try
        {
            await queue.CompleteAsync(entryId);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            logger.LogWarning(ex, "Could not drop queue entry {EntryId}", entryId);
        }
    }

    private async Task<QueueEntry?> TakeAsync(TimeSpan stallTimeout)
    {
        using var untraced = Untraced.Begin();
        try
        {
            return await queue.TakeNewAsync(identity.ConsumerName)
                ?? await queue.ClaimStalledAsync(identity.ConsumerName, stallTimeout);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            logger.LogWarning(ex, "Could not read the job queue");
            return null;
        }
    }

    private async Task WaitForWakeAsync(TimeSpan pollInterval, CancellationToken stoppingToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        timeout.CancelAfter(pollInterval);
        try
        {
            await _wake.Reader.ReadAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
        }
    }
}

public readonly record struct ConsumerLiveness(bool Listening, TimeSpan SinceLastRound, TimeSpan Limit, Exception? Exception);
