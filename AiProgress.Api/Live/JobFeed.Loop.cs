using AiProgress.Api.Generation;
using AiProgress.Jobs;
using AiProgress.Jobs.Data;
using AiProgress.Jobs.Events;
using AiProgress.Jobs.Telemetry;
using StackExchange.Redis;

namespace AiProgress.Api.Live;

public sealed partial class JobFeed
{
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly JobEventStream _events;
    private readonly JobService _jobs;
    private readonly StallWatch _stalls;
    private readonly ApiOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private CancellationTokenSource? _wake;
    private long _lastBroadcastAt;

    internal JobFeed(string jobId, JobEventStream events, JobService jobs, StallWatch stalls, ApiOptions options, TimeProvider time, ILogger logger)
    {
        _logger = logger;
        JobId = jobId;
        _events = events;
        _jobs = jobs;
        _stalls = stalls;
        _options = options;
        _time = time;
        _lastBroadcastAt = time.GetTimestamp();
    }

    /// <summary>Completes when the feed holds the job's state; faults when Redis could not be reached.</summary>
    public Task Ready => _ready.Task;

    /// <summary>Completes when the feed has stopped reading (no watchers left, the job ended, or Redis lost).</summary>
    public Task Completion { get; private set; } = Task.CompletedTask;

    internal void Start(ISubscriber subscriber)
    {
        // The loop must not run under the first watcher's request span, nor record a span per Redis read.
        using (ExecutionContext.SuppressFlow())
        {
            Completion = Task.Run(() => RunAsync(subscriber));
        }
    }

    /// <summary>The Redis connection dropped: every watcher here goes on by polling the row.</summary>
    internal void Abort()
    {
        lock (_gate)
        {
            CloseLocked(FeedEnd.RedisLost);
        }
    }

    private async Task RunAsync(ISubscriber subscriber)
    {
        using var untraced = Untraced.Begin();
        ChannelMessageQueue? notes = null;
        try
        {
            // Subscribed before the first read, so no note falls between the read and the subscription.
            notes = await subscriber.SubscribeAsync(RedisKeys.JobEventsAppended(JobId));
            await LoadAsync();
            _ready.TrySetResult();
            await FollowAsync(notes);
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or System.Threading.Channels.ChannelClosedException)
        {
            _logger.LogWarning(ex, "Job {JobId}'s feed lost Redis; its watchers poll the database", JobId);
            _ready.TrySetException(ex);
            Abort();
        }
        catch (Exception ex)
        {
            _logger.LogError(ex, "Job {JobId}'s feed failed; its watchers poll the database", JobId);
            _ready.TrySetException(ex);
            Abort();
        }
        finally
        {
            lock (_gate)
            {
                CloseLocked(FeedEnd.Finished);
            }

            _ready.TrySetCanceled();
            _wake?.Dispose();
            await UnsubscribeAsync(notes);
        }
    }

    private async Task UnsubscribeAsync(ChannelMessageQueue? notes)
    {
        try
        {
            if (notes is not null)
            {
                await notes.UnsubscribeAsync();
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // Gone with the connection; a new connection subscribes only what is still wanted.
            _logger.LogDebug(ex, "Job {JobId}'s feed could not unsubscribe", JobId);
        }
    }

    /// <summary>The job's events so far, or, when its stream holds none (queued, or Redis lost them), its row.</summary>
    private async Task LoadAsync()
    {
        var history = await _events.ReadAfterAsync(JobId, null, max: int.MaxValue);
        PublishFromStream(history);
        if (history.Count == 0)
        {
            await CheckSafelyAsync(CheckRowAsync);
        }
    }

    private async Task FollowAsync(ChannelMessageQueue notes)
    {
        // The checks run only once the job has been quiet that long: while notes flow, neither is needed.
        var lastNote = _time.GetTimestamp();
        var lastRowCheck = lastNote;
        var lastStallCheck = lastNote;
        while (!_stop.IsCancellationRequested)
        {
            var quietFor = _time.GetElapsedTime(lastNote);
            var untilRowCheck = _options.DatabaseCheckInterval - Min(quietFor, _time.GetElapsedTime(lastRowCheck));
            var untilStallCheck = _options.StallCheckInterval - Min(quietFor, _time.GetElapsedTime(lastStallCheck));
            var untilHeartbeat = _options.HeartbeatInterval - _time.GetElapsedTime(Volatile.Read(ref _lastBroadcastAt));
            if (await NextNoteAsync(notes, Min(Min(untilRowCheck, untilStallCheck), untilHeartbeat)) is { } note)
            {
                lastNote = _time.GetTimestamp();
                await ApplyNoteAsync(note);
                continue;
            }

            if (_time.GetElapsedTime(lastNote) >= _options.DatabaseCheckInterval && _time.GetElapsedTime(lastRowCheck) >= _options.DatabaseCheckInterval)
            {
                lastRowCheck = _time.GetTimestamp();
                await CheckSafelyAsync(CheckRowAsync);
            }

            if (_time.GetElapsedTime(lastNote) >= _options.StallCheckInterval && _time.GetElapsedTime(lastStallCheck) >= _options.StallCheckInterval)
            {
                lastStallCheck = _time.GetTimestamp();
                await CheckSafelyAsync(CheckStallAsync);
            }

            if (_time.GetElapsedTime(Volatile.Read(ref _lastBroadcastAt)) >= _options.HeartbeatInterval)
            {
                lock (_gate)
                {
                    BroadcastLocked([SseFrame.Ping]);
                }
            }
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
