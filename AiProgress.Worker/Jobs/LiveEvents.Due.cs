namespace AiProgress.Worker.Jobs;

/// <summary>When a job has something to send: asked lock-free by the pump and the stream reader.</summary>
public sealed partial class LiveEvents
{
    /// <summary>Whether the job has text watchers have not been sent, and may still send it.</summary>
    public bool HasTextToSend(ActiveJob job) => job.PublishesEvents && job.Tracker.TextLength > job.Published.TextLength;

    /// <summary>New text whose turn has come, with no append of the job's under way. Lock-free.</summary>
    public bool IsTextDue(ActiveJob job, long now) =>
        now >= job.TextPace.DueAt && job.PublishLock.CurrentCount > 0 && HasTextToSend(job);

    /// <summary>
    /// Whether the job has something to send at <paramref name="now"/>: text that is due, or progress. While tokens
    /// flow, progress waits up to one TextInterval more for the next text to ride with instead of an append of its
    /// own. Lock-free: the pump asks it of every job twenty times a second.
    /// </summary>
    public bool IsDue(ActiveJob job, long now)
    {
        if (IsTextDue(job, now))
        {
            return true;
        }

        if (!job.PublishesEvents || job.PublishLock.CurrentCount == 0 || !ProgressDue(job, job.Published, now))
        {
            return false;
        }

        var textFlowing = time.GetElapsedTime(job.Tracker.LastTokenAt, now) < options.Value.TextInterval;
        return !textFlowing || time.GetElapsedTime(job.Published.At, now) >= options.Value.EventInterval + options.Value.TextInterval;
    }

    /// <summary>
    /// A token has come (at <paramref name="at"/>): the pump is told, and woken when the job's text turn has come
    /// already, so a token on time waits for no look. Called by the stream reader for every token.
    /// </summary>
    public void OnToken(ActiveJob job, long at) =>
        arrivals.Add(job, wake: at >= job.TextPace.DueAt && job.PublishLock.CurrentCount > 0);

    private bool ProgressDue(ActiveJob job, PublishedCursor published, long now)
    {
        var sinceProgress = time.GetElapsedTime(published.At, now);
        return (job.Tracker.Tokens != published.Tokens && sinceProgress >= options.Value.EventInterval - TimeSpan.FromMilliseconds(10))
            || sinceProgress >= ProgressKeepAlive;
    }
}
