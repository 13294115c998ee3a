using AiProgress.Jobs.Events;

namespace AiProgress.Api.Live;

public sealed partial class JobFeed
{
    /// <summary>
    /// A late watcher's first frames: the whole text so far, then the latest progress, or for a finished job only
    /// its end; each with the id of the event it sums up, in id order, so Last-Event-ID still resumes exactly.
    /// </summary>
    private SseFrame[] BuildSnapshot()
    {
        var frames = new List<JobEvent>(2);
        if (_fold.TextLength > 0)
        {
            frames.Add(new JobEvent(_fold.LastTextId!, JobEvents.Text(0, _fold.Text)));
        }

        if ((_fold.Terminal ?? _fold.LastProgress) is { } latest)
        {
            frames.Add(latest);
        }
        else if (_fold.LastId is { } lastId)
        {
            frames.Add(new JobEvent(lastId, JobEvents.NothingYet(_time.GetUtcNow())));
        }

        return frames
            .OrderBy(e => StreamIds.TryParse(e.Id, out var id) ? id : default)
            .Select(e => SseFrame.From(e, e.Type == JobEventTypes.Text ? _fold.TextLength : -1))
            .ToArray();
    }
}

/// <summary>A watcher's start in a feed: its buffer, the frames that come before it, and where the feed stood.</summary>
public sealed record FeedJoin(JobFeed Feed, FeedWatcher Watcher, IReadOnlyList<SseFrame> Snapshot, string LastStreamId, IReadOnlyList<JobEvent> MadeHere) : IDisposable
{
    public void Dispose() => Feed.Leave(Watcher);

    /// <summary>
    /// A resuming watcher has everything up to its id: it gets what followed, as it was sent, from the job's stream
    /// up to where the feed stood when it joined (the feed's frames carry on from there), and what the feed made.
    /// </summary>
    public async Task<IReadOnlyList<SseFrame>> ResumeFramesAsync(JobEventStream events, (long Ms, long Seq) resumeFrom)
    {
        var history = LastStreamId.Length == 0 ? [] : await events.ReadUpToAsync(Feed.JobId, LastStreamId);
        var fold = new JobEventFold();
        var frames = new List<SseFrame>();
        foreach (var e in history)
        {
            Add(e, fromStream: true);
        }

        foreach (var e in MadeHere)
        {
            Add(e, fromStream: false);
        }

        return frames;

        void Add(JobEvent e, bool fromStream)
        {
            fold.Apply(e);
            if (StreamIds.TryParse(e.Id, out var id) && StreamIds.Compare(id, resumeFrom) > 0)
            {
                frames.Add(SseFrame.From(e, e.Type == JobEventTypes.Text ? fold.TextLength : -1, fromStream));
            }
        }
    }
}
