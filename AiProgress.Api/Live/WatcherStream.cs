using AiProgress.Jobs.Data;
using AiProgress.Jobs.Events;

namespace AiProgress.Api.Live;

/// <summary>
/// One watcher's connection: the frames written to it, how much text they held, the last id, its deadline; and,
/// when it polls the row instead of following a feed, what changed since the last poll.
/// </summary>
internal sealed class WatcherStream(SseWriter writer, TimeProvider time, ApiOptions options, string jobId)
{
    private readonly long _openedAt = time.GetTimestamp();
    private long _lastWriteAt = time.GetTimestamp();
    private (long Ms, long Seq) _lastId;
    private string? _lastRowState;

    public SseWriter Writer { get; } = writer;
    public string JobId { get; } = jobId;

    /// <summary>How much of the job's text this watcher has been sent.</summary>
    public int TextLength { get; private set; }

    public (long Ms, long Seq) LastId => _lastId;

    public TimeSpan UntilDeadline => options.StreamTimeout - time.GetElapsedTime(_openedAt);

    /// <summary>Buffers a frame for the next flush and notes what it told the watcher.</summary>
    public void Append(SseFrame frame)
    {
        Writer.Append(frame);
        if (frame.TextEnd >= 0)
        {
            TextLength = frame.TextEnd;
        }

        if (frame.Id is not null && StreamIds.Compare(frame.Order, _lastId) > 0)
        {
            _lastId = frame.Order;
        }

        if (frame.FromStream && ApiTelemetry.DeliveryLag.Enabled)
        {
            ApiTelemetry.DeliveryLag.Record(Math.Max(0, time.GetUtcNow().ToUnixTimeMilliseconds() - frame.Order.Ms));
        }
    }

    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        await Writer.FlushAsync(cancellationToken);
        _lastWriteAt = time.GetTimestamp();
    }

    /// <summary>Sends a row read from MySQL; true when that was the terminal event.</summary>
    public async Task<bool> SendRowAsync(GenerationJob row, long? queuePosition, CancellationToken cancellationToken, long? estimatedStart = null)
    {
        if (row.GeneratedText.Length > TextLength)
        {
            var (textType, textData) = JobEvents.Text(TextLength, row.GeneratedText[TextLength..]);
            Append(SseFrame.Event(FormatNextId(), textType, textData, row.GeneratedText.Length));
        }

        var (type, data) = JobEvents.FromRow(row, queuePosition, time.GetUtcNow(), estimatedStart);
        var state = $"{row.Status}|{row.LastUpdateAt?.Ticks}|{queuePosition}";
        if (type != JobEventTypes.Progress || state != _lastRowState)
        {
            _lastRowState = state;
            Append(SseFrame.Event(FormatNextId(), type, data));
        }

        await FlushAsync(cancellationToken);
        return JobEventTypes.IsTerminal(type);
    }

    /// <summary>Ends the stream as the seed did after its time was up.</summary>
    public async Task SendTimeoutAsync(CancellationToken cancellationToken)
    {
        var (type, data) = JobEvents.StreamTimeout();
        Append(SseFrame.Event(FormatNextId(), type, data));
        await FlushAsync(cancellationToken);
    }

    /// <summary>For polling: true when the stream must end (timeout); sends a heartbeat when quiet.</summary>
    public async Task<bool> TimedOutOrHeartbeatAsync(CancellationToken cancellationToken)
    {
        if (UntilDeadline <= TimeSpan.Zero)
        {
            await SendTimeoutAsync(cancellationToken);
            return true;
        }

        if (time.GetElapsedTime(_lastWriteAt) >= options.HeartbeatInterval)
        {
            Append(SseFrame.Ping);
            await FlushAsync(cancellationToken);
        }

        return false;
    }

    /// <summary>
    /// Ids for events made here (from the row, or the timeout) must never pass the stream's own ids, which Redis
    /// gives on its clock (a resume from a "0-n" id replays everything, which the merge rule absorbs).
    /// </summary>
    private string FormatNextId()
    {
        _lastId = StreamIds.Next(_lastId);
        return StreamIds.Format(_lastId);
    }
}
