using AiProgress.Jobs.Telemetry;
using AiProgress.Jobs.Events;
using Microsoft.Extensions.Options;

namespace AiProgress.Worker.Jobs;

/// <summary>
/// One loop for all jobs of this worker: it pushes a job's new text to its event stream as soon as the job's turn has
/// come (<see cref="TextPace"/>: one per TextInterval, 50 ms, on average): a token that comes on its turn wakes the
/// loop (<see cref="TextArrivals"/>), one that comes early waits for the look (every 10 ms) after its turn has come;
/// progress rides with the text when its own interval (250 ms) has come, and a look over every job (every 50 ms) sends
/// the progress due without text;
/// and each job's progress row is written every write interval (0.5 s) at the job's own moment in it
/// (<see cref="ProgressRows"/>). Heartbeats live apart (<see cref="WorkerHeartbeat"/>), so a slow MySQL never delays them.
/// </summary>
public sealed class ProgressPump(
    ActiveJobs active,
    TextArrivals arrivals,
    ProgressRows rows,
    JobEventStream events,
    LiveEvents liveEvents,
    IOptions<WorkerOptions> options,
    TimeProvider time) : BackgroundService
{
    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

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
                if (rows.TakeDue(now, writeInterval) is { Count: > 0 } due)
                {
                    writing = rows.WriteAsync(due, stoppingToken);
                }
            }
        }
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
}
