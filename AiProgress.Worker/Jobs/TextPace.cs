namespace AiProgress.Worker.Jobs;

/// <summary>
/// When a job's next text event may go: one per interval on average, yet a token that comes a little early after a
/// late one (a model's own jitter) is not held back a whole look for it. The generic cell rate algorithm: each send
/// moves a theoretical time on by one interval, and a send is allowed from half an interval before it; a late send
/// moves it on from its newest token, so the lateness is not carried into every later turn.
/// </summary>
public sealed class TextPace(long interval)
{
    private long _theoretical;

    /// <summary>From when (a timestamp) the next text may go.</summary>
    public long DueAt { get; private set; }

    /// <summary>A send at <paramref name="at"/> whose newest token came at <paramref name="newestTokenAt"/>.</summary>
    public void Sent(long at, long newestTokenAt)
    {
        // The next turn counts from the newest token sent when the send came late for it. With the send alone, a stream
        // whose tokens come at about the interval kept any one delay (a stall, a collection) for the rest of the job: each
        // token waited for a turn that moved on by one interval as the tokens did, up to half an interval plus a look late.
        _theoretical = Math.Min(Math.Max(_theoretical, at), newestTokenAt + interval / 2) + interval;
        DueAt = _theoretical - interval / 2;
    }
}
