using AiProgress.Jobs.Telemetry;
using AiProgress.Jobs.Data;
using AiProgress.Jobs.Events;
using AiProgress.Jobs.Lifecycle;
using AiProgress.Jobs.Queue;
using Microsoft.Extensions.Options;

namespace AiProgress.Worker.Jobs;

/// <summary>
/// One loop for all jobs of this worker: every 10 ms it pushes new text to the event streams of the jobs whose turn has
/// come (at most every TextInterval, 50 ms, on average; a token after a pause at once, not at a fixed tick), and
/// progress when its own interval (250 ms) has come;
/// every write interval it saves all jobs' progress in batched transactions (one up to 250 jobs, more side by side). Rows that no longer match
/// (cancelled, taken over) stop their job. Heartbeats live apart (<see cref="WorkerHeartbeat"/>), so a slow MySQL
/// never delays them.
/// </summary>
public sealed class ProgressPump(
    ActiveJobs active,
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
        var lastWrite = time.GetTimestamp();
        var writing = Task.CompletedTask;
        using var timer = new PeriodicTimer(Min(LiveEvents.LookInterval, Min(settings.TextInterval, settings.EventInterval)), time);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            var jobs = active.Snapshot();
            if (events.IsAvailable)
            {
                // Not awaited: each job waits only for its own append (one at a time per job), never for the slowest
                // of a round, and a slow Redis never holds back the MySQL writes watchers then fall back to.
                foreach (var job in jobs.Where(liveEvents.IsDue))
                {
                    _ = liveEvents.PublishInTurnAsync(job);
                }
            }

            // A write still under way (a slow or hung MySQL) is not waited for: live events keep flowing, and the
            // next write, once this one is done, carries the whole state.
            if (writing.IsCompleted && time.GetElapsedTime(lastWrite) >= settings.DatabaseWriteInterval - TimeSpan.FromMilliseconds(20))
            {
                lastWrite = time.GetTimestamp();
                writing = WriteProgressAsync(jobs, stoppingToken);
            }

        }
    }

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
