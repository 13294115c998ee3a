using AiProgress.Jobs.Telemetry;
using AiProgress.Jobs.Data;
using AiProgress.Jobs.Events;
using AiProgress.Jobs.Lifecycle;
using AiProgress.Jobs.Queue;
using Microsoft.Extensions.Options;

namespace AiProgress.Worker.Jobs;

/// <summary>
/// One loop for all jobs of this worker: it pushes a job's new text to its event stream as soon as the job's turn has
/// come (<see cref="TextPace"/>: one per TextInterval, 50 ms, on average): a token that comes on its turn wakes the
/// loop (<see cref="TextArrivals"/>), one that comes early waits for the look (every 10 ms) after its turn has come;
/// progress rides with the text when its own interval (250 ms) has come, and a look over every job (every 50 ms) sends
/// the progress due without text;
/// each job's progress row is written every write interval (0.5 s), at the job's own moment in it, in batched
/// transactions (one up to 250 jobs, more side by side). Rows that no longer match
/// (cancelled, taken over) stop their job. Heartbeats live apart (<see cref="WorkerHeartbeat"/>), so a slow MySQL
/// never delays them.
/// </summary>
public sealed class ProgressPump(
    ActiveJobs active,
    TextArrivals arrivals,
    JobLifecycle lifecycle,
    JobEventStream events,
    LiveEvents liveEvents,
    IOptions<WorkerOptions> options,
    TimeProvider time,
    ILogger<ProgressPump> logger) : BackgroundService
{
    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    /// <summary>Raised after each progress row write, with the job id; lets tests count writes.</summary>
    public event Action<string>? ProgressWritten;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var untraced = Untraced.Begin();
        var settings = options.Value;
        var look = Ticks(Min(LiveEvents.LookInterval, Min(settings.TextInterval, settings.EventInterval)));
        var scan = Ticks(Min(LiveEvents.ScanInterval, settings.EventInterval));
        // Jobs whose text came before its turn: looked at every look until it has gone.
        var waiting = new HashSet<ActiveJob>();
        var writeInterval = Ticks(settings.DatabaseWriteInterval);
        var writeLook = Math.Max(look, writeInterval / 10);
        var nextLook = time.GetTimestamp();
        var nextScan = nextLook;
        var nextWriteLook = nextLook;
        var writing = Task.CompletedTask;
        while (!stoppingToken.IsCancellationRequested)
        {
            var untilLook = time.GetElapsedTime(time.GetTimestamp(), nextLook);
            await arrivals.WaitAsync(untilLook > TimeSpan.Zero ? untilLook : TimeSpan.Zero, stoppingToken).ConfigureAwait(false);
            var now = time.GetTimestamp();
            var publishing = events.IsAvailable;
            // Not awaited: each job waits only for its own append (one at a time per job), never for the slowest
            // of a round, and a slow Redis never holds back the MySQL writes watchers then fall back to.
            while (arrivals.TryTake(out var arrived))
            {
                if (!publishing || !SendTextIfDue(arrived, now))
                {
                    waiting.Add(arrived);
                }
            }

            if (now < nextLook)
            {
                continue;
            }

            nextLook = now + look;
            if (publishing)
            {
                waiting.RemoveWhere(job => !liveEvents.HasTextToSend(job) || SendTextIfDue(job, now));
            }

            // Every job, less often: progress that is due without new text (the last tokens' count, the once-a-second
            // keep-alive), and text a reader left while Redis was away.
            if (publishing && now >= nextScan)
            {
                nextScan = now + scan;
                foreach (var job in active.Current)
                {
                    if (liveEvents.IsDue(job, now))
                    {
                        _ = liveEvents.PublishInTurnAsync(job);
                    }
                }
            }

            // A write still under way (a slow or hung MySQL) is not waited for: live events keep flowing, and the
            // next write, once this one is done, carries the whole state.
            if (writing.IsCompleted && now >= nextWriteLook)
            {
                nextWriteLook = now + writeLook;
                if (TakeWritesDue(now, writeInterval, writeLook) is { Count: > 0 } due)
                {
                    writing = WriteProgressAsync(due, stoppingToken);
                }
            }
        }
    }

    /// <summary>
    /// The jobs whose row write is due. Each job has its own slot in the write interval (a random phase when first
    /// seen), so thousands of jobs are written a tenth at a time instead of all at once: the same two writes per
    /// job-second, without a burst of them every half second.
    /// </summary>
    private List<ActiveJob> TakeWritesDue(long now, long interval, long look)
    {
        var due = new List<ActiveJob>();
        foreach (var job in active.Current)
        {
            if (!job.WritesProgress)
            {
                continue;
            }

            if (job.NextWriteAt == 0)
            {
                job.NextWriteAt = now + (long)(interval * Random.Shared.NextDouble());
            }

            if (now >= job.NextWriteAt)
            {
                due.Add(job);
                // After a slow write the next one keeps its distance instead of following at once.
                job.NextWriteAt = Math.Max(job.NextWriteAt + interval, now + interval - look);
            }
        }

        return due;
    }

    private bool SendTextIfDue(ActiveJob job, long now)
    {
        if (!liveEvents.IsTextDue(job, now))
        {
            return false;
        }

        _ = liveEvents.PublishInTurnAsync(job);
        return true;
    }

    private long Ticks(TimeSpan span) => (long)(span.TotalSeconds * time.TimestampFrequency);

    private async Task WriteProgressAsync(IReadOnlyCollection<ActiveJob> jobs, CancellationToken cancellationToken)
    {
        var rows = new List<ProgressRow>(jobs.Count);
        // Thousands of jobs: find each by its id, not by a scan per row.
        var byId = jobs.ToDictionary(j => j.JobId);
        foreach (var job in jobs.Where(j => j.WritesProgress))
        {
            var snapshot = job.Tracker.Snapshot();
            // Before the first token only elapsed time moves; once a second is enough for that.
            if (snapshot.Tokens == job.Written.Tokens && snapshot.ElapsedMs - job.Written.ElapsedMs < 1000)
            {
                continue;
            }

            rows.Add(new ProgressRow(job.JobId, job.Attempt, snapshot, job.Tracker.TextFrom(0)));
        }

        // Thousands of rows: several transactions side by side (MariaDB works on them on every core, and group-commits
        // their fsyncs), each small enough that its ownership query stays cheap.
        await Task.WhenAll(rows.Chunk(RowsPerTransaction).Select(chunk => WriteChunkAsync(chunk, byId, cancellationToken)));
    }

    private const int RowsPerTransaction = 250;

    private async Task WriteChunkAsync(ProgressRow[] rows, Dictionary<string, ActiveJob> byId, CancellationToken cancellationToken)
    {
        IReadOnlyList<string> lost;
        try
        {
            // Untraced, like the whole loop: the job's span carries a count of these writes instead.
            lost = await lifecycle.WriteProgressAsync(rows, cancellationToken);
            foreach (var row in rows)
            {
                byId[row.JobId].RecordWritten(row.Snapshot);
                ProgressWritten?.Invoke(row.JobId);
            }

            WorkerTelemetry.ProgressWrites.Add(rows.Length);
        }
        catch (Exception ex) when (ex is System.Data.Common.DbException or InvalidOperationException or TimeoutException)
        {
            // Generation goes on; the next write carries the whole state and catches up.
            logger.LogWarning(ex, "Could not write progress for {Count} jobs", rows.Length);
            return;
        }

        // A job whose runner is writing its own end meanwhile no longer matches either: that is not a loss.
        foreach (var job in lost.Select(id => byId[id]).Where(j => j.WritesProgress))
        {
            logger.LogInformation("Job {JobId} was cancelled or taken over; stopping it here", job.JobId);
            job.Stop(StopReason.TakenOver);
        }
    }
}
