using AiProgress.Jobs.Data;
using AiProgress.Jobs.Events;

namespace AiProgress.Api.Live;

/// <summary>One watcher's connection: what it has been sent, its ids, its heartbeat and its deadline.</summary>
internal sealed class WatcherStream(SseWriter writer, TimeProvider time, ApiOptions options, string jobId)
{
    private readonly long _openedAt = time.GetTimestamp();
    private long _lastWriteAt = time.GetTimestamp();
    private (long Ms, long Seq) _lastId;
    private string? _lastRowState;

    public SseWriter Writer { get; } = writer;
    public string JobId { get; } = jobId;

    /// <summary>What this watcher knows so far (text length above all), whichever way it was sent.</summary>
    public JobEventFold Seen { get; } = new();

    /// <summary>The job's status as this watcher was last told it.</summary>
    public string Status { get; private set; } = JobStatus.Queued;

    /// <summary>Why the watcher was last told the job is stalled; null once anything moved again.</summary>
    public string? StalledReason { get; private set; }

    public async Task SendAsync(JobEvent e, CancellationToken cancellationToken) => await SendAsync(e, fromStream: true, cancellationToken);

    private async Task SendAsync(JobEvent e, bool fromStream, CancellationToken cancellationToken)
    {
        Seen.Apply(e);
        StalledReason = null;
        if (e.Type != JobEventTypes.Text)
        {
            Status = JobEvents.ReadStatus(e.Data) ?? Status;
        }
        if (StreamIds.TryParse(e.Id, out var id))
        {
            _lastId = id;
            if (fromStream)
            {
                ApiTelemetry.DeliveryLag.Record(Math.Max(0, time.GetUtcNow().ToUnixTimeMilliseconds() - id.Ms));
            }
        }

        await Writer.WriteEventAsync(e.Id, e.Type, e.Data, cancellationToken);
        _lastWriteAt = time.GetTimestamp();
    }

    /// <summary>
    /// A late watcher's first events: the whole text so far, then the latest progress, or for a finished job
    /// only its end. Each carries the id of the event it sums up, in id order, so ids keep increasing and
    /// Last-Event-ID still resumes exactly.
    /// </summary>
    public async Task<bool> SendSnapshotAsync(JobEventFold fold, CancellationToken cancellationToken)
    {
        var snapshot = new List<JobEvent>(2);
        if (fold.TextLength > 0)
        {
            snapshot.Add(new JobEvent(fold.LastTextId!, JobEvents.Text(0, fold.Text)));
        }

        snapshot.Add(fold.Terminal ?? fold.LastProgress ?? new JobEvent(fold.LastId!, JobEvents.NothingYet(time.GetUtcNow())));
        foreach (var e in snapshot.OrderBy(e => StreamIds.TryParse(e.Id, out var id) ? id : default))
        {
            await SendAsync(e, cancellationToken);
        }

        return fold.Terminal is not null;
    }

    /// <summary>Sends a row read from MySQL; true when that was the terminal event.</summary>
    public async Task<bool> SendRowAsync(GenerationJob row, long? queuePosition, CancellationToken cancellationToken, long? estimatedStart = null)
    {
        if (row.GeneratedText.Length > Seen.TextLength)
        {
            await SendAsync(NextRowEvent(JobEvents.Text(Seen.TextLength, row.GeneratedText[Seen.TextLength..])), fromStream: false, cancellationToken);
        }

        var (type, data) = JobEvents.FromRow(row, queuePosition, time.GetUtcNow(), estimatedStart);
        var state = $"{row.Status}|{row.LastUpdateAt?.Ticks}|{queuePosition}";
        if (type == JobEventTypes.Progress && state == _lastRowState)
        {
            return false;
        }

        _lastRowState = state;
        await SendAsync(NextRowEvent((type, data)), fromStream: false, cancellationToken);
        return JobEventTypes.IsTerminal(type);
    }

    /// <summary>
    /// Tells the watcher why the job does not move: its last progress again, marked stalled.
    /// </summary>
    public async Task SendStalledAsync(string reason, CancellationToken cancellationToken)
    {
        var last = Seen.LastProgress is { } progress
            ? JobEvents.ReadProgress(progress.Data)
            : JobEvents.ReadProgress(JobEvents.NothingYet(time.GetUtcNow()).Data) with { Status = Status };
        var (type, data) = JobEvents.Stalled(last, reason, time.GetUtcNow());
        await Writer.WriteEventAsync(FormatNextId(), type, data, cancellationToken);
        _lastWriteAt = time.GetTimestamp();
        StalledReason = reason;
    }

    /// <summary>Waits for the next note; sends a heartbeat when quiet. True when the stream must end (timeout).</summary>
    public async Task<bool> IdleAsync(Live.JobWatch watch, CancellationToken cancellationToken)
    {
        var untilHeartbeat = options.HeartbeatInterval - time.GetElapsedTime(_lastWriteAt);
        var untilDeadline = options.StreamTimeout - time.GetElapsedTime(_openedAt);
        var wait = Min(Min(untilHeartbeat, untilDeadline), Min(options.DatabaseCheckInterval, options.StallCheckInterval));
        if (wait > TimeSpan.Zero && await watch.WaitAsync(wait, cancellationToken))
        {
            return false;
        }

        return await TimedOutOrHeartbeatAsync(cancellationToken);
    }

    public async Task<bool> TimedOutOrHeartbeatAsync(CancellationToken cancellationToken)
    {
        if (time.GetElapsedTime(_openedAt) >= options.StreamTimeout)
        {
            var (type, data) = JobEvents.StreamTimeout();
            await Writer.WriteEventAsync(FormatNextId(), type, data, cancellationToken);
            return true;
        }

        if (time.GetElapsedTime(_lastWriteAt) >= options.HeartbeatInterval)
        {
            await Writer.WriteCommentAsync("ping", cancellationToken);
            _lastWriteAt = time.GetTimestamp();
        }

        return false;
    }

    /// <summary>Ids for events made from the row keep growing, like the stream's, so Last-Event-ID stays meaningful.</summary>
    private JobEvent NextRowEvent((string Type, string Data) body) => new(FormatNextId(), body);

    /// <summary>
    /// Ids for events made here (from the row, or a stall notice) must never pass the stream's own ids, which Redis
    /// gives on its clock: before any stream event they are "0-n" (a resume from there replays everything, which the
    /// merge rule absorbs), after one they follow it by sequence.
    /// </summary>
    private string FormatNextId()
    {
        _lastId = (_lastId.Ms, _lastId.Seq + 1);
        return StreamIds.Format(_lastId);
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
