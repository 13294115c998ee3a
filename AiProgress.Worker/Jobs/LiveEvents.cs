using AiProgress.Jobs.Data;
using AiProgress.Jobs.Events;

namespace AiProgress.Worker.Jobs;

/// <summary>
/// A job's live events in its Redis stream: new text and progress on every tick, and at the end the text not
/// yet sent and the terminal event. Publishing is serialised per job, so a tick never interleaves with the end.
/// </summary>
public sealed class LiveEvents(JobEventStream events, TimeProvider time, ILogger<LiveEvents> logger)
{
    private static readonly TimeSpan ProgressKeepAlive = TimeSpan.FromSeconds(1);

    /// <summary>Sends what watchers have not seen yet: new text, and progress when it moved (or once a second).</summary>
    public async Task PublishAsync(ActiveJob job, bool force)
    {
        await job.PublishLock.WaitAsync();
        try
        {
            if (job.Finished)
            {
                return;
            }

            var snapshot = job.Tracker.Snapshot();
            var batch = new List<(string, string)>(2);
            var delta = job.Tracker.TextFrom(job.PublishedTextLength);
            if (delta.Length > 0)
            {
                batch.Add((JobEventTypes.Text, JobEventStream.Serialize(new TextPayload(job.PublishedTextLength, delta))));
            }

            var progressDue = force || snapshot.Tokens != job.PublishedTokens
                || time.GetElapsedTime(job.LastProgressPublishedAt) >= ProgressKeepAlive;
            if (progressDue)
            {
                batch.Add((JobEventTypes.Progress, JobEventStream.Serialize(ToPayload(job, snapshot))));
            }

            await events.AppendAsync(job.JobId, batch);
            WorkerTelemetry.EventsPublished.Add(batch.Count);
            job.PublishedTextLength += delta.Length;
            if (progressDue)
            {
                job.PublishedTokens = snapshot.Tokens;
                job.LastProgressPublishedAt = time.GetTimestamp();
            }
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
    public async Task FinishAsync(ActiveJob job, string terminalType, string terminalData)
    {
        await job.PublishLock.WaitAsync();
        try
        {
            job.Finished = true;
            var batch = new List<(string, string)>(2);
            var delta = job.Tracker.TextFrom(job.PublishedTextLength);
            if (delta.Length > 0)
            {
                batch.Add((JobEventTypes.Text, JobEventStream.Serialize(new TextPayload(job.PublishedTextLength, delta))));
            }

            batch.Add((terminalType, terminalData));
            await events.AppendAsync(job.JobId, batch, terminal: true);
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

    private ProgressPayload ToPayload(ActiveJob job, Progress.ProgressSnapshot snapshot) => new(
        JobStatus.Processing,
        (int)snapshot.Percentage,
        snapshot.Tokens,
        snapshot.TokensPerSecond,
        snapshot.ElapsedMs,
        snapshot.EstimatedRemainingMs,
        time.GetUtcNow().ToUnixTimeSeconds(),
        Attempt: job.Attempt);
}
