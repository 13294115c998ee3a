using System.Collections.Concurrent;
using System.Threading.Channels;
using AiProgress.Jobs.Liveness;
using AiProgress.Jobs.Queue;
using AiProgress.Worker.Generation;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace AiProgress.Worker.Jobs;

/// <summary>
/// Takes jobs from the queue, up to <see cref="WorkerOptions.MaxConcurrentJobs"/> at once: first jobs whose worker
/// died (so under load orphans never starve), then new entries, as many in one read as there are free slots. Idle, it sleeps until Pub/Sub says a job arrived
/// (or the poll interval). While the LLM server is down it takes nothing and probes it until it is back.
/// </summary>
public sealed partial class QueueConsumer(
    JobQueue queue,
    JobRunner runner,
    ActiveJobs active,
    WorkerIdentity identity,
    WorkerLiveness liveness,
    LlmServerHealth llm,
    ExpiredJobs expired,
    IConnectionMultiplexer redis,
    IOptions<WorkerOptions> options,
    TimeProvider time,
    ILogger<QueueConsumer> logger) : BackgroundService
{
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly ConcurrentDictionary<Task, bool> _running = new();
    private volatile bool _listening;
    private long _lastRound = time.GetTimestamp();
    private long _lastOrphanCheck;

    /// <summary>How the loop is doing, from the loop itself: listening, gone round lately, or crashed.</summary>
    public ConsumerLiveness Liveness()
    {
        var limit = TimeSpan.FromSeconds(5) + 3 * Max(options.Value.PollInterval, options.Value.LlmRetryInterval);
        var crash = ExecuteTask is { IsFaulted: true } task ? task.Exception : null;
        var running = _listening && ExecuteTask is not { IsCompleted: true };
        return new ConsumerLiveness(running, time.GetElapsedTime(Interlocked.Read(ref _lastRound)), limit, crash);
    }

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

                if (!llm.IsAvailable && !await llm.ProbeAsync(stoppingToken))
                {
                    slots.Release();
                    await expired.FailQueuedPastDeadlineAsync(stoppingToken);
                    await Task.Delay(settings.LlmRetryInterval, time, stoppingToken);
                    continue;
                }

                // One slot is ours; the others free now may be filled from the same read (only this loop takes slots).
                var entries = await TakeAsync(settings, Math.Min(slots.CurrentCount + 1, MaxTakenAtOnce));
                if (entries.Count == 0)
                {
                    slots.Release();
                    await WaitForWakeAsync(settings.PollInterval, stoppingToken);
                    continue;
                }

                for (var i = 0; i < entries.Count; i++)
                {
                    if (i > 0 && !slots.Wait(0))
                    {
                        throw new InvalidOperationException("A job slot taken outside the consumer loop.");
                    }

                    await StartAsync(entries[i], slots, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        // Runners see the same token and hand their jobs back; let them finish that.
        await Task.WhenAll(_running.Keys).WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    /// <summary>Runs the entry in the slot taken for it, or gives the slot back when a run here adopts it.</summary>
    private async Task StartAsync(QueueEntry entry, SemaphoreSlim slots, CancellationToken stoppingToken)
    {
        if (active.Adopt(entry) is { } replaced)
        {
            slots.Release();
            if (replaced.EntryId != entry.EntryId)
            {
                await CompleteQuietlyAsync(replaced.EntryId);
            }

            logger.LogInformation("Job {JobId} was delivered again while running here; its run adopts entry {EntryId}", entry.JobId, entry.EntryId);
            return;
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

    private void MarkRound() => Interlocked.Exchange(ref _lastRound, time.GetTimestamp());

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

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
