namespace AiProgress.Worker.Jobs;

/// <summary>
/// When a job's next text event may go: one per interval on average, yet a token that comes a little early after a
/// late one (a model's own jitter) is not held back a whole look for it. The generic cell rate algorithm: each send
/// moves a theoretical time on by one interval, and a send is allowed from half an interval before it.
/// </summary>
public sealed class TextPace(long interval)
{
    private long _theoretical;

    /// <summary>From when (a timestamp) the next text may go.</summary>
    public long DueAt { get; private set; }

    public void Sent(long at)
    {
        _theoretical = Math.Max(_theoretical, at) + interval;
        DueAt = _theoretical - interval / 2;
    }
}
