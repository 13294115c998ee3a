using AiProgress.Jobs.Data;
using AiProgress.Jobs.Events;
using AiProgress.Jobs.Lifecycle;
using AiProgress.Jobs.Queue;
using AiProgress.Worker.Progress;

namespace AiProgress.Worker.Jobs;

/// <summary>Why a run was stopped from outside before it ended by itself.</summary>
public enum StopReason
{
    Cancelled,
    TakenOver,
    Shutdown,
}

/// <summary>Where a run is in its life; it only moves forward.</summary>
public enum RunPhase
{
    /// <summary>Generating: events are published and progress rows written.</summary>
    Running,
    /// <summary>The runner writes the terminal row: progress writes stop (they would no longer match), the last events may still go out.</summary>
    WritingEnd,
    /// <summary>Nothing more is published: the terminal event is out, or the job is no longer ours (cancelled, taken over).</summary>
    Ended,
}

/// <summary>What watchers have been sent so far.</summary>
public readonly record struct PublishedCursor(int TextLength, int Tokens, long At);

/// <summary>What the row holds so far.</summary>
public readonly record struct WrittenCursor(int Tokens, long ElapsedMs, int Writes);

/// <summary>A job this worker is generating: its tracker, its cancellation, its phase and what has been published and written.</summary>
public sealed class ActiveJob(GenerationJob job, QueueEntry entry, ProgressTracker tracker, int textAlreadyPublished, CancellationToken stopping)
    : IDisposable
{
    private readonly CancellationTokenSource _cancellation = CancellationTokenSource.CreateLinkedTokenSource(stopping);
    private int _phase = (int)RunPhase.Running;

    public GenerationJob Job { get; } = job;
    /// <summary>The queue entry this run answers for; replaced when the same job is delivered again (Redis lost a second).</summary>
    public QueueEntry Entry { get; set; } = entry;
    public ProgressTracker Tracker { get; } = tracker;
    public string JobId => Job.JobId;
    public JobStreamKeys StreamKeys { get; } = new(job.JobId);
    public int Attempt => Job.Attempt;
    public CancellationToken Token => _cancellation.Token;
    public StopReason? StopReason { get; private set; }

    public RunPhase Phase => (RunPhase)Volatile.Read(ref _phase);

    /// <summary>Why the job waits now (a retry's backoff, the LLM server down), or null while it moves.</summary>
    public string? StalledReason { get; set; }
    public bool WritesProgress => Phase == RunPhase.Running;
    public bool PublishesEvents => Phase != RunPhase.Ended;

    /// <summary>Serialises publishing, so the final events never interleave with a tick's; held while an append is under way.</summary>
    public SemaphoreSlim PublishLock { get; } = new(1, 1);
    public PublishedCursor Published { get; private set; } = new(textAlreadyPublished, -1, 0);

    /// <summary>The events of the append being made, and its script's arguments: kept between appends, held with <see cref="PublishLock"/>.</summary>
    public List<(string Type, string Data)> Batch { get; } = new(2);
    public AppendArguments AppendArguments { get; } = new();

    /// <summary>Where this run's last append left the job's event stream; held with <see cref="PublishLock"/>.</summary>
    public StreamTail EventsTail { get; set; } = StreamTail.Unknown;

    /// <summary>When this job's next text may go: see <see cref="LiveEvents.IsDue"/>.</summary>
    public TextPace TextPace { get; init; } = new(0);

    private int _arrived;

    /// <summary>Marks the job as waiting in <see cref="TextArrivals"/>; false when it is there already.</summary>
    public bool TryMarkArrived() => Interlocked.Exchange(ref _arrived, 1) == 0;
    public void ClearArrived() => Volatile.Write(ref _arrived, 0);

    public WrittenCursor Written { get; private set; } = new(-1, 0, 0);

    /// <summary>When the pump writes this job's row next (a timestamp; 0 until it has given the job its slot).</summary>
    public long NextWriteAt { get; set; }

    /// <summary>The slot of the write the pump last took this job for (a timestamp): when it was due, not when it committed.</summary>
    public long WriteDueAt { get; set; }

    public void RecordPublished(int textLength, ProgressSnapshot? progress, long at) => Published = progress is null
        ? Published with { TextLength = textLength }
        : new PublishedCursor(textLength, progress.Tokens, at);

    public void RecordWritten(ProgressSnapshot snapshot) => Written = new WrittenCursor(snapshot.Tokens, snapshot.ElapsedMs, Written.Writes + 1);

    /// <summary>Moves the phase forward (never back); false when it was there already or beyond.</summary>
    public bool Advance(RunPhase to)
    {
        while (true)
        {
            var current = Volatile.Read(ref _phase);
            if (current >= (int)to)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _phase, (int)to, current) == current)
            {
                return true;
            }
        }
    }

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
        // The pump may still hold the job (text that came as it ended): once disposed it publishes nothing.
        Advance(RunPhase.Ended);
        _cancellation.Dispose();
        PublishLock.Dispose();
    }
}
