using AiProgress.Jobs.Lifecycle;

namespace AiProgress.Worker.Jobs;

/// <summary>
/// The jobs' progress rows, written for the pump (<see cref="ProgressPump"/>): each job at its own moment of the write
/// interval, in statements of up to 250 jobs (more side by side). Rows that no longer match (cancelled,
/// taken over) stop their job.
/// </summary>
public sealed class ProgressRows(ActiveJobs active, JobLifecycle lifecycle, ILogger<ProgressRows> logger)
{
    /// <summary>
    /// Raised after each progress row write, with the job id and the timestamp its write was due at (its slot, not its
    /// commit: a slow commit makes the next look take many due jobs at once); lets tests count writes and see the slots.
    /// </summary>
    public event Action<string, long>? Written;

    /// <summary>
    /// The jobs whose row write is due. Each job has its own slot in the write interval (a random phase when first
    /// seen), so thousands of jobs are written a tenth at a time instead of all at once: the same two writes per
    /// job-second, without a burst of them every half second.
    /// </summary>
    public List<ActiveJob> TakeDue(long now, long interval)
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
                job.WriteDueAt = job.NextWriteAt;
                job.NextWriteAt = NextSlot(job.NextWriteAt, now, interval);
            }
        }

        return due;
    }

    /// <summary>
    /// The job's next slot on its own grid (its phase kept), at least 0.7 of an interval away: after a slow write made
    /// many jobs due at once, they go back to their own moments instead of staying bunched, and no job is written
    /// twice in quick succession.
    /// </summary>
    public static long NextSlot(long slot, long now, long interval)
    {
        var earliest = now + interval * 7 / 10;
        return slot + interval * Math.Max(1, (earliest - slot + interval - 1) / interval);
    }

    public async Task WriteAsync(IReadOnlyCollection<ActiveJob> jobs, CancellationToken cancellationToken)
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

            rows.Add(new ProgressRow(job.JobId, job.Attempt, snapshot, job.Tracker.Text()));
        }

        // Thousands of rows: several transactions side by side (MariaDB works on them on every core, and group-commits
        // their fsyncs), each one statement of a size MariaDB takes in one packet.
        await Task.WhenAll(Chunks(rows).Select(chunk => WriteChunkAsync(chunk, byId, cancellationToken)));
    }

    private const int RowsPerTransaction = 250;

    /// <summary>Text a statement carries at most: long generations are rewritten whole, and max_allowed_packet is 16 MB.</summary>
    private const int TextPerTransaction = 2_000_000;

    public static IEnumerable<ProgressRow[]> Chunks(IReadOnlyList<ProgressRow> rows)
    {
        var chunk = new List<ProgressRow>();
        var text = 0;
        foreach (var row in rows)
        {
            if (chunk.Count > 0 && (chunk.Count == RowsPerTransaction || text + row.Text.Length > TextPerTransaction))
            {
                yield return [.. chunk];
                chunk.Clear();
                text = 0;
            }

            chunk.Add(row);
            text += row.Text.Length;
        }

        if (chunk.Count > 0)
        {
            yield return [.. chunk];
        }
    }

    private async Task WriteChunkAsync(ProgressRow[] rows, Dictionary<string, ActiveJob> byId, CancellationToken cancellationToken)
    {
        IReadOnlyList<string> lost;
        try
        {
            // Untraced, like the whole loop: the job's span carries a count of these writes instead.
            lost = await lifecycle.WriteProgressAsync(rows, cancellationToken);
            foreach (var row in rows)
            {
                var job = byId[row.JobId];
                job.RecordWritten(row.Snapshot);
                Written?.Invoke(row.JobId, job.WriteDueAt);
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
