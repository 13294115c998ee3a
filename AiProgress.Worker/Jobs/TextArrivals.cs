using System.Collections.Concurrent;

namespace AiProgress.Worker.Jobs;

/// <summary>
/// Jobs whose stream reader got text, handed to the pump: one whose text turn has come wakes it, so it is sent at once
/// instead of at the next look. A job is queued once until the pump takes it, however many tokens come.
/// </summary>
public sealed class TextArrivals
{
    private readonly ConcurrentQueue<ActiveJob> _jobs = new();
    private readonly SemaphoreSlim _wake = new(0);
    private int _awake;

    public void Add(ActiveJob job, bool wake)
    {
        if (!job.TryMarkArrived())
        {
            return;
        }

        _jobs.Enqueue(job);
        if (wake && Interlocked.Exchange(ref _awake, 1) == 0)
        {
            _wake.Release();
        }
    }

    /// <summary>Waits until a job is added or the timeout (at least a millisecond) passes; true when woken by a job.</summary>
    public async Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        // The semaphore waits whole milliseconds, truncated: the last fraction of one before the pump's next look came
        // back at once, and the pump spun through it (~60,000 turns a second with 2,500 jobs). Rounded up instead.
        var whole = timeout <= TimeSpan.Zero ? TimeSpan.Zero : TimeSpan.FromMilliseconds(Math.Ceiling(timeout.TotalMilliseconds));
        var woken = await _wake.WaitAsync(whole, cancellationToken).ConfigureAwait(false);
        // Before the queue is drained: a job added from here on wakes the next wait.
        Volatile.Write(ref _awake, 0);
        return woken;
    }

    public bool TryTake(out ActiveJob job)
    {
        if (_jobs.TryDequeue(out job!))
        {
            job.ClearArrived();
            return true;
        }

        return false;
    }
}
