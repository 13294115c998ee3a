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
        var lastRowCheck = _time.GetTimestamp();
        var lastStallCheck = _time.GetTimestamp();
        while (!_stop.IsCancellationRequested)
        {
            var wait = Min(
                Min(_options.DatabaseCheckInterval - _time.GetElapsedTime(lastRowCheck), _options.StallCheckInterval - _time.GetElapsedTime(lastStallCheck)),
                _options.HeartbeatInterval - _time.GetElapsedTime(Volatile.Read(ref _lastBroadcastAt)));
            if (await NextNoteAsync(notes, wait) is { } note)
            {
                await ApplyNoteAsync(note);
                continue;
            }

            // Quiet: the checks a watcher once did for itself, done here once for all of them.
            if (_time.GetElapsedTime(lastRowCheck) >= _options.DatabaseCheckInterval)
            {
                lastRowCheck = _time.GetTimestamp();
                await CheckSafelyAsync(CheckRowAsync);
            }

            if (_time.GetElapsedTime(lastStallCheck) >= _options.StallCheckInterval)
            {
                lastStallCheck = _time.GetTimestamp();
                await CheckSafelyAsync(CheckStallAsync);
            }

            if (_time.GetElapsedTime(Volatile.Read(ref _lastBroadcastAt)) >= _options.HeartbeatInterval)
            {
                lock (_gate)
                {
                    BroadcastLocked(SseFrame.Ping);
                }
            }
        }
    }

    /// <summary>The next note, or null when <paramref name="wait"/> passed first.</summary>
    private async Task<string?> NextNoteAsync(ChannelMessageQueue notes, TimeSpan wait)
    {
        if (notes.TryRead(out var ready))
        {
            return (string?)ready.Message ?? "";
        }

        if (wait <= TimeSpan.Zero)
        {
            return null;
        }

        // One timer per feed, re-armed for each wait (notes come 20 times a second per job).
        if (_wake is null || !_wake.TryReset())
        {
            _wake?.Dispose();
            _wake = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        }

        _wake.CancelAfter(wait);
        try
        {
            return (string?)(await notes.ReadAsync(_wake.Token)).Message ?? "";
        }
        catch (OperationCanceledException) when (!_stop.IsCancellationRequested)
        {
            return null;
        }
    }

    /// <summary>Passes on the note's events; when a note was missed (or cannot be read), reads the stream instead.</summary>
    private async Task ApplyNoteAsync(string message)
    {
        if (JobEventNote.TryParse(message, out var note))
        {
            var last = _lastStreamId;
            var fresh = note.Events.Where(e => IsAfter(e.Id, last)).ToList();
            if (fresh.Count == 0)
            {
                return;
            }

            if (fresh.Count < note.Events.Count || note.Previous == last)
            {
                PublishFromStream(fresh);
                return;
            }
        }

        ApiTelemetry.FeedGapReads.Add(1);
        PublishFromStream(await _events.ReadAfterAsync(JobId, _lastStreamId.Length == 0 ? null : _lastStreamId, max: int.MaxValue));
    }

    /// <summary>
    /// Safety net: a job that ended while its events were lost (Redis restarted) still ends, and a queued job's
    /// watchers see its place in the queue move.
    /// </summary>
    private async Task CheckRowAsync()
    {
        var row = await _jobs.ReloadAsync(JobId, _stop.Token);
        if (row is null)
        {
            lock (_gate)
            {
                _gone = true;
                CloseLocked(FeedEnd.Finished);
            }

            return;
        }

        if (row.Status == JobStatus.Processing && _fold.LastId is not null)
        {
            return;
        }

        var (position, estimatedStart) = await _jobs.QueuePlaceAsync(row, _stop.Token);
        if (row.GeneratedText.Length > _fold.TextLength)
        {
            PublishMadeHere(JobEvents.Text(_fold.TextLength, row.GeneratedText[_fold.TextLength..]));
        }

        var state = $"{row.Status}|{row.LastUpdateAt?.Ticks}|{position}";
        var (type, data) = JobEvents.FromRow(row, position, _time.GetUtcNow(), estimatedStart);
        if (type != JobEventTypes.Progress || state != _lastRowState)
        {
            _lastRowState = state;
            PublishMadeHere((type, data));
        }
    }

    private async Task CheckStallAsync()
    {
        if (await _stalls.ReasonAsync(JobId, _status) is not { } reason || reason == _stalledReason)
        {
            return;
        }

        var last = _fold.LastProgress is { } progress
            ? JobEvents.ReadProgress(progress.Data)
            : JobEvents.ReadProgress(JobEvents.NothingYet(_time.GetUtcNow()).Data) with { Status = _status };
        PublishMadeHere(JobEvents.Stalled(last, reason, _time.GetUtcNow()));
        _stalledReason = reason;
    }

    /// <summary>A check that fails (MySQL down) is skipped: the live events go on, and the next check comes.</summary>
    private async Task CheckSafelyAsync(Func<Task> check)
    {
        try
        {
            await check();
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not RedisException)
        {
            _logger.LogWarning(ex, "Job {JobId}'s feed skipped a check", JobId);
        }
    }

    private static bool IsAfter(string id, string last) =>
        last.Length == 0 || (StreamIds.TryParse(id, out var a) && StreamIds.TryParse(last, out var b) && StreamIds.Compare(a, b) > 0);

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
