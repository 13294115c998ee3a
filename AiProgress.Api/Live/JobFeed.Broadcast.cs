namespace AiProgress.Api.Live;

public sealed partial class JobFeed
{
    /// <summary>Hands the frames to every watcher, and closes the feed once they hold the job's terminal event.</summary>
    private void BroadcastLocked(IReadOnlyList<SseFrame> frames)
    {
        if (frames.Count == 0)
        {
            return;
        }

        var had = _watchers.Count;
        for (var i = _watchers.Count - 1; i >= 0; i--)
        {
            // Indexed, not foreach: through the interface each watcher's loop would box an enumerator.
            for (var f = 0; f < frames.Count; f++)
            {
                if (!_watchers[i].Offer(frames[f]))
                {
                    _watchers[i].Close(FeedEnd.TooSlow);
                    _watchers.RemoveAt(i);
                    ApiTelemetry.SlowWatchersClosed.Add(1);
                    break;
                }
            }
        }

        _lastBroadcastAt = _time.GetTimestamp();
        if (_fold.Terminal is not null || (had > 0 && _watchers.Count == 0))
        {
            CloseLocked(FeedEnd.Finished);
        }
    }

    private void CloseLocked(FeedEnd why)
    {
        if (_closed)
        {
            return;
        }

        _closed = true;
        foreach (var watcher in _watchers)
        {
            watcher.Close(why);
        }

        _watchers.Clear();
        // Not inline: cancellation callbacks would run the loop's continuation under this lock.
        _ = _stop.CancelAsync();
    }
}
