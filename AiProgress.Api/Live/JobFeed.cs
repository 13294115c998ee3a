using AiProgress.Jobs.Data;
using AiProgress.Jobs.Events;

namespace AiProgress.Api.Live;

/// <summary>
/// One job's live events in this API process, read once for all its watchers here: each event is encoded once
/// and the same frame goes into every watcher's buffer. It also keeps what a late watcher's first frames are made
/// of (the fold of everything so far), and does the idle checks (the row, why a job stalls) once per job.
/// </summary>
public sealed partial class JobFeed
{
    private readonly object _gate = new();
    private readonly List<FeedWatcher> _watchers = [];
    private readonly JobEventFold _fold = new();
    // Events made here (from the row, stall notices) after the last stream event: a resuming watcher gets them too.
    private readonly List<JobEvent> _madeHere = [];
    private SseFrame[]? _snapshot;
    private (long Ms, long Seq) _lastId;
    private string _lastStreamId = "";
    private string _status = JobStatus.Queued;
    private string? _stalledReason;
    private string? _lastRowState;
    private bool _closed;
    private bool _gone;

    public string JobId { get; }

    /// <summary>Adds a watcher with what it needs to start; null when this feed has closed (join a new one).</summary>
    public FeedJoin? TryJoin(int bufferFrames)
    {
        lock (_gate)
        {
            var over = _fold.Terminal is not null || _gone;
            if (_closed && !over)
            {
                return null;
            }

            var watcher = new FeedWatcher(bufferFrames);
            _snapshot ??= BuildSnapshot();
            if (!over)
            {
                _watchers.Add(watcher);
            }
            else
            {
                watcher.Close(FeedEnd.Finished);
            }

            return new FeedJoin(this, watcher, _snapshot, _lastStreamId, [.. _madeHere]);
        }
    }

    internal void Leave(FeedWatcher watcher)
    {
        lock (_gate)
        {
            if (_watchers.Remove(watcher) && _watchers.Count == 0)
            {
                CloseLocked(FeedEnd.Finished);
            }
        }
    }

    /// <summary>
    /// Applies events read from the job's stream and hands their frames to every watcher, all of one note to one
    /// watcher before the next: its reader, woken by the first, then finds the whole note and sends it in one write
    /// (a note of text and progress went out as two, and the kernel's send is most of what a watcher costs).
    /// </summary>
    private void PublishFromStream(IReadOnlyList<JobEvent> events, int start = 0)
    {
        lock (_gate)
        {
            var frames = new List<SseFrame>(2);
            for (var i = start; i < events.Count; i++)
            {
                var e = events[i];
                _lastStreamId = e.Id;
                _madeHere.Clear();
                if (ApplyLocked(e, fromStream: true) is { } frame)
                {
                    frames.Add(frame);
                }

                if (_fold.Terminal is not null)
                {
                    break;
                }
            }

            BroadcastLocked(frames);
        }
    }

    /// <summary>Publishes an event made here (from the row, or a stall notice), with the next id after the last.</summary>
    private void PublishMadeHere((string Type, string Data) body)
    {
        lock (_gate)
        {
            _lastId = StreamIds.Next(_lastId);
            var e = new JobEvent(StreamIds.Format(_lastId), body);
            _madeHere.Add(e);
            if (ApplyLocked(e, fromStream: false) is { } frame)
            {
                BroadcastLocked([frame]);
            }
        }
    }

    /// <summary>Folds the event in and returns its frame; null once the feed has closed.</summary>
    private SseFrame? ApplyLocked(JobEvent e, bool fromStream)
    {
        if (_closed)
        {
            return null;
        }

        _fold.Apply(e);
        _snapshot = null;
        _stalledReason = null;
        if (StreamIds.TryParse(e.Id, out var id) && StreamIds.Compare(id, _lastId) > 0)
        {
            _lastId = id;
        }

        if (e.Type != JobEventTypes.Text)
        {
            _status = JobEvents.ReadStatus(e.Data) ?? _status;
        }

        var textEnd = e.Type == JobEventTypes.Text ? _fold.TextLength : -1;
        return SseFrame.From(e, textEnd, fromStream);
    }
}
