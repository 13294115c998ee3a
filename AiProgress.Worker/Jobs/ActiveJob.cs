using AiProgress.Jobs.Data;
using AiProgress.Jobs.Queue;
using AiProgress.Worker.Progress;

namespace AiProgress.Worker.Jobs;

public enum StopReason
{
    Cancelled,
    TakenOver,
    Shutdown,
}

/// <summary>A job this worker is generating: its tracker, its cancellation and what watchers have been sent.</summary>
public sealed class ActiveJob(GenerationJob job, QueueEntry entry, ProgressTracker tracker, int textAlreadyPublished, CancellationToken stopping)
    : IDisposable
{
    private readonly CancellationTokenSource _cancellation = CancellationTokenSource.CreateLinkedTokenSource(stopping);

    public GenerationJob Job { get; } = job;
    /// <summary>The queue entry this run answers for; replaced when the same job is delivered again (Redis lost a second).</summary>
    public QueueEntry Entry { get; set; } = entry;
    public ProgressTracker Tracker { get; } = tracker;
    public string JobId => Job.JobId;
    public int Attempt => Job.Attempt;
    public CancellationToken Token => _cancellation.Token;
    public StopReason? StopReason { get; private set; }

    /// <summary>Serialises publishing, so the final events never interleave with a tick's.</summary>
    public SemaphoreSlim PublishLock { get; } = new(1, 1);
    public int PublishedTextLength { get; set; } = textAlreadyPublished;
    public int PublishedTokens { get; set; } = -1;
    public long LastProgressPublishedAt { get; set; }
    public bool Finished { get; set; }
    public int LastWrittenTokens { get; set; } = -1;
    public long LastWrittenElapsedMs { get; set; }
    public int ProgressWrites { get; set; }

    /// <summary>Set before the runner writes the job's terminal row: its progress writes stop matching on purpose.</summary>
    public bool Ending { get; set; }

    public void Stop(StopReason reason)
    {
        StopReason ??= reason;
        try
        {
            _cancellation.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The run has already ended; there is nothing left to stop.
        }
    }

    public void Dispose()
    {
        _cancellation.Dispose();
        PublishLock.Dispose();
    }
}
