using System.Collections.Concurrent;
using System.Threading.Channels;
using AiProgress.Jobs;
using StackExchange.Redis;

namespace AiProgress.Api.Live;

/// <summary>
/// One Pub/Sub subscription per API process, fanned out to every watcher of a job in this process:
/// a note says "job X has new events"; each watcher then reads them from the job's stream itself.
/// </summary>
public sealed class JobEventNotifier(IConnectionMultiplexer redis, ILogger<JobEventNotifier> logger)
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<JobWatch, byte>> _watchers = new();
    private readonly SemaphoreSlim _subscribeGate = new(1, 1);
    private volatile bool _subscribed;
    private int _connectionWatchStarted;

    public async Task<JobWatch> WatchAsync(string jobId)
    {
        if (Interlocked.Exchange(ref _connectionWatchStarted, 1) == 0)
        {
            // A lost connection rings every bell, so watchers switch to the row at once instead of
            // waiting out their next read's timeout.
            redis.ConnectionFailed += (_, _) => NotifyAll();
        }

        await EnsureSubscribedAsync();
        var watch = new JobWatch(this, jobId);
        _watchers.GetOrAdd(jobId, _ => new()).TryAdd(watch, 0);
        return watch;
    }

    internal void Unwatch(JobWatch watch)
    {
        if (_watchers.TryGetValue(watch.JobId, out var set))
        {
            set.TryRemove(watch, out _);
            if (set.IsEmpty)
            {
                _watchers.TryRemove(new KeyValuePair<string, ConcurrentDictionary<JobWatch, byte>>(watch.JobId, set));
            }
        }
    }

    private async Task EnsureSubscribedAsync()
    {
        if (_subscribed)
        {
            return;
        }

        await _subscribeGate.WaitAsync();
        try
        {
            if (!_subscribed)
            {
                await redis.GetSubscriber().SubscribeAsync(RedisKeys.JobEventsAppended, (_, message) => Notify(message!));
                _subscribed = true;
                logger.LogInformation("Subscribed to job event notes");
            }
        }
        finally
        {
            _subscribeGate.Release();
        }
    }

    private void NotifyAll()
    {
        foreach (var set in _watchers.Values)
        {
            foreach (var watch in set.Keys)
            {
                watch.Signal();
            }
        }
    }

    private void Notify(string jobId)
    {
        if (_watchers.TryGetValue(jobId, out var set))
        {
            foreach (var watch in set.Keys)
            {
                watch.Signal();
            }
        }
    }
}

/// <summary>A watcher's doorbell: rings at most once between two waits, so no note is lost and none piles up.</summary>
public sealed class JobWatch(JobEventNotifier notifier, string jobId) : IDisposable
{
    private readonly Channel<bool> _bell = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    public string JobId { get; } = jobId;

    internal void Signal() => _bell.Writer.TryWrite(true);

    /// <summary>True when rung, false when the time ran out first.</summary>
    public async Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (_bell.Reader.TryRead(out _))
        {
            return true;
        }

        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timer.CancelAfter(timeout);
        try
        {
            await _bell.Reader.ReadAsync(timer.Token);
            return true;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    public void Dispose() => notifier.Unwatch(this);
}
