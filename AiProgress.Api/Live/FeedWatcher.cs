using System.Threading.Channels;

namespace AiProgress.Api.Live;

/// <summary>Why a watcher's place in a feed ended before its job's terminal event reached it.</summary>
public enum FeedEnd
{
    None,
    /// <summary>The job ended (its terminal frame is the last in the buffer) or its row is gone.</summary>
    Finished,
    /// <summary>The watcher fell a whole buffer behind; it resumes by Last-Event-ID when it reconnects.</summary>
    TooSlow,
    /// <summary>The Redis connection dropped: the watcher goes on by polling the row.</summary>
    RedisLost,
}

/// <summary>
/// One watcher's place in a job's feed: a bounded buffer of shared frames, so a slow reader never holds up the
/// others; when it is full the watcher is let go instead.
/// </summary>
public sealed class FeedWatcher(int capacity)
{
    private readonly Channel<SseFrame> _frames = Channel.CreateBounded<SseFrame>(
        new BoundedChannelOptions(capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    public ChannelReader<SseFrame> Frames => _frames.Reader;

    private volatile bool _stoppedWaiting;

    public FeedEnd End { get; private set; }

    /// <summary>Takes the frame; false when the buffer is full. A watcher that stopped waiting takes (and drops) every frame.</summary>
    internal bool Offer(SseFrame frame) => _frames.Writer.TryWrite(frame) || _stoppedWaiting;

    /// <summary>
    /// Ends the wait for frames from outside (the stream's deadline or its client gone), once per stream: a wait
    /// with a cancellable token is an allocation per wait, one per note at thousands of watchers. Not an end of the
    /// feed's making, so <see cref="End"/> stays as it is and the feed does not count the watcher as slow.
    /// </summary>
    public void StopWaiting()
    {
        _stoppedWaiting = true;
        _frames.Writer.TryComplete();
    }

    internal void Close(FeedEnd why)
    {
        if (End == FeedEnd.None)
        {
            End = why;
        }

        _frames.Writer.TryComplete();
    }
}
