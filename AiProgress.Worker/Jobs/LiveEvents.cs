using Microsoft.Extensions.Options;
using AiProgress.Jobs.Data;
using AiProgress.Jobs.Events;

namespace AiProgress.Worker.Jobs;

/// <summary>
/// A job's live events in its Redis stream: new text and progress on every tick, and at the end the text not
/// yet sent and the terminal event. Publishing is serialised per job, so a tick never interleaves with the end.
/// </summary>
public sealed partial class LiveEvents(
    JobEventStream events, TextArrivals arrivals, IOptions<WorkerOptions> options, TimeProvider time, ILogger<LiveEvents> logger)
{
    private static readonly TimeSpan ProgressKeepAlive = TimeSpan.FromSeconds(1);

    /// <summary>A new job's pace of text events (one per <see cref="WorkerOptions.TextInterval"/> on average).</summary>
    public TextPace NewTextPace() => new((long)(options.Value.TextInterval.TotalSeconds * time.TimestampFrequency));

    /// <summary>How often the pump asks every job <see cref="IsDue"/> (text that comes on its turn is sent without waiting for it).</summary>
    public static readonly TimeSpan LookInterval = TimeSpan.FromMilliseconds(10);

    /// <summary>How often the pump looks at every job for progress due without new text.</summary>
    public static readonly TimeSpan ScanInterval = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// The pump's send: at most one in flight per job, so a job whose last append is still on its way is skipped. Not
    /// an async method of its own: the pump never awaits it, and at thousands of jobs each step was a box per append.
    /// </summary>
    public ValueTask PublishInTurnAsync(ActiveJob job)
    {
        var decidedAt = time.GetTimestamp();
        return job.PublishLock.Wait(0) ? PublishHoldingLockAsync(job, force: false, decidedAt) : ValueTask.CompletedTask;
    }

    /// <summary>Sends what watchers have not seen yet: new text, and progress when it moved (or once a second).</summary>
    public async Task PublishAsync(ActiveJob job, bool force)
    {
        var decidedAt = time.GetTimestamp();
        await job.PublishLock.WaitAsync();
        await PublishHoldingLockAsync(job, force, decidedAt);
    }

    // Redis's answer is awaited here, with no async step between this and the pump or Redis: at thousands of jobs
    // each step was a box per append, 20 appends a second per job.
    private async ValueTask PublishHoldingLockAsync(ActiveJob job, bool force, long decidedAt)
    {
        try
        {
            if (!job.PublishesEvents)
            {
                return;
            }

            var published = job.Published;
            var delta = job.Tracker.TextFrom(published.TextLength);
            var newestTokenAt = job.Tracker.LastTokenAt;
            // Text goes out 20 times a second, progress 4: the snapshot (rate, length model) only when it is due.
            var progressDue = force || ProgressDue(job, published, time.GetTimestamp());
            if (delta.Length == 0 && !progressDue)
            {
                return;
            }

            var batch = job.Batch;
            batch.Clear();
            if (delta.Length > 0)
            {
                batch.Add(JobEvents.Text(published.TextLength, delta));
            }

            var snapshot = progressDue ? job.Tracker.Snapshot() : null;
            if (snapshot is not null)
            {
                batch.Add(JobEvents.Progress(JobStatus.Processing, snapshot, time.GetUtcNow(), job.Attempt,
                    phase: job.StalledReason is null ? null : JobPhases.Stalled, stalledReason: job.StalledReason));
            }

            var sent = batch.Count;
            var answer = await AppendAsync(job, batch, terminal: false);
            // Cleared: the long-lived list must not keep the events' strings alive until the next append.
            batch.Clear();
            if (!Appended(job, answer))
            {
                // A newer attempt runs the job: this one stops at once, before its row write would tell it.
                logger.LogInformation("Job {JobId} is run by a newer attempt; attempt {Attempt} stops", job.JobId, job.Attempt);
                job.Advance(RunPhase.Ended);
                job.Stop(StopReason.TakenOver);
                return;
            }

            WorkerTelemetry.EventsPublished.Add(sent);
            if (delta.Length > 0)
            {
                job.TextPace.Sent(decidedAt, newestTokenAt);
            }

            job.RecordPublished(published.TextLength + delta.Length, snapshot, time.GetTimestamp());
        }
        catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException)
        {
            // Watchers fall back to the database row; the next tick sends the same delta again from the same offset.
            logger.LogWarning(ex, "Could not publish live events for job {JobId}", job.JobId);
        }
        finally
        {
            job.PublishLock.Release();
        }
    }

    /// <summary>The job's last events: the text not yet sent, then its terminal event. Nothing is published after.</summary>
    public async Task FinishAsync(ActiveJob job, (string Type, string Data) terminal)
    {
        await job.PublishLock.WaitAsync();
        try
        {
            job.Advance(RunPhase.Ended);
            var batch = new List<(string, string)>(2);
            var delta = job.Tracker.TextFrom(job.Published.TextLength);
            if (delta.Length > 0)
            {
                batch.Add(JobEvents.Text(job.Published.TextLength, delta));
            }

            batch.Add(terminal);
            Appended(job, await AppendAsync(job, batch, terminal: true));
            WorkerTelemetry.EventsPublished.Add(batch.Count);
        }
        catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException)
        {
            // The row is terminal already; watchers notice it on their next database check.
            logger.LogWarning(ex, "Could not publish the terminal event for job {JobId}", job.JobId);
        }
        finally
        {
            job.PublishLock.Release();
        }
    }

    /// <summary>The job's append, after where its last one left the stream (held with its lock); <see cref="Appended"/> reads the answer.</summary>
    private Task<StackExchange.Redis.RedisResult> AppendAsync(ActiveJob job, List<(string, string)> batch, bool terminal)
    {
        // Unknown until the append is answered: one that times out may still have gone in.
        var after = job.EventsTail;
        job.EventsTail = StreamTail.Unknown;
        return events.AppendAfterAnsweredAsync(job.StreamKeys, batch, after, terminal, job.Attempt, job.AppendArguments);
    }

    /// <summary>Takes in an answered append; false when it was fenced off (the job is no longer this attempt's).</summary>
    private static bool Appended(ActiveJob job, StackExchange.Redis.RedisResult answer)
    {
        job.AppendArguments.Return();
        if (JobEventStream.TailOf(answer) is not { } tail)
        {
            return false;
        }

        job.EventsTail = tail;
        return true;
    }
}
