using AiProgress.Jobs.Telemetry;
using System.Diagnostics;
using AiProgress.Api.Generation;
using AiProgress.Jobs.Data;
using AiProgress.Jobs.Events;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace AiProgress.Api.Live;

/// <summary>
/// Serves one watcher of one job. The first bytes are a <c>retry:</c> line and the job's current state;
/// after that, events are pushed as the worker appends them (woken by Pub/Sub, read from the job's Redis
/// stream by id, so Last-Event-ID resumes exactly). Without Redis it falls back to the seed's design:
/// poll the row every 200 ms and send what changed.
/// </summary>
public sealed class SseProgressHandler(
    JobService jobs,
    JobEventStream events,
    JobEventNotifier notifier,
    StallWatch stalls,
    IOptions<ApiOptions> options,
    TimeProvider time,
    ILogger<SseProgressHandler> logger)
{
    private static readonly TimeSpan ClientRetry = TimeSpan.FromSeconds(2);

    public async Task StreamAsync(HttpResponse response, GenerationJob job, string? lastEventId, CancellationToken cancellationToken)
    {
        if (ActivityContext.TryParse(job.TraceParent, null, out var jobContext))
        {
            Activity.Current?.AddLink(new ActivityLink(jobContext));
        }

        Activity.Current?.SetTag("aiprogress.job.id", job.JobId);
        SseWriter.PrepareResponse(response);
        var stream = new WatcherStream(new SseWriter(response), time, options.Value, job.JobId);
        ApiTelemetry.LiveStreams.Add(1);
        try
        {
            await stream.Writer.WriteRetryAsync(ClientRetry, cancellationToken);
            // The stream's span (linked to the job's trace) stays one span, not one per Redis read.
            using var untraced = Untraced.Begin();
            try
            {
                await StreamFromRedisAsync(stream, job, lastEventId, cancellationToken);
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                logger.LogWarning(ex, "Redis is unavailable; job {JobId}'s stream falls back to polling the database", job.JobId);
                await StreamByPollingAsync(stream, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The watcher went away; everything it held is released by the using blocks.
        }
        finally
        {
            ApiTelemetry.LiveStreams.Add(-1);
        }
    }

    private async Task StreamFromRedisAsync(WatcherStream stream, GenerationJob job, string? lastEventId, CancellationToken cancellationToken)
    {
        using var watch = await notifier.WatchAsync(job.JobId);
        var history = await events.ReadAfterAsync(job.JobId, null, max: int.MaxValue);
        string? cursor;
        if (StreamIds.TryParse(lastEventId, out var resumeFrom))
        {
            // Resume: the watcher has everything up to its id; what follows is replayed as it was sent.
            cursor = lastEventId;
            foreach (var e in history.Where(e => StreamIds.TryParse(e.Id, out var id) && StreamIds.Compare(id, resumeFrom) <= 0))
            {
                stream.Seen.Apply(e);
            }
        }
        else if (history.Count > 0)
        {
            var fold = JobEventFold.From(history);
            if (await stream.SendSnapshotAsync(fold, cancellationToken))
            {
                return;
            }

            cursor = fold.LastId;
        }
        else
        {
            cursor = null;
            if (await SendRowAsync(stream, job, cancellationToken))
            {
                return;
            }
        }

        var lastRowCheck = time.GetTimestamp();
        var lastStallCheck = time.GetTimestamp();
        while (true)
        {
            if (!events.IsAvailable)
            {
                throw new RedisConnectionException(ConnectionFailureType.SocketFailure, "Redis connection lost");
            }

            var fresh = await events.ReadAfterAsync(job.JobId, cursor);
            foreach (var e in fresh)
            {
                await stream.SendAsync(e, cancellationToken);
                cursor = e.Id;
                if (JobEventTypes.IsTerminal(e.Type))
                {
                    return;
                }
            }

            if (fresh.Count == 0 && time.GetElapsedTime(lastRowCheck) >= options.Value.DatabaseCheckInterval)
            {
                // Safety net: a job that ended while its events were lost (Redis restarted) still ends here,
                // and a queued watcher sees its place in the queue move.
                lastRowCheck = time.GetTimestamp();
                var row = await jobs.ReloadAsync(job.JobId, cancellationToken);
                if (row is null || (row.Status != JobStatus.Processing && await SendRowAsync(stream, row, cancellationToken)))
                {
                    return;
                }
            }

            if (fresh.Count == 0 && time.GetElapsedTime(lastStallCheck) >= options.Value.StallCheckInterval)
            {
                lastStallCheck = time.GetTimestamp();
                if (await stalls.ReasonAsync(job.JobId, stream.Status) is { } reason && reason != stream.StalledReason)
                {
                    await stream.SendStalledAsync(reason, cancellationToken);
                }
            }

            if (await stream.IdleAsync(watch, cancellationToken))
            {
                return;
            }
        }
    }

    private async Task StreamByPollingAsync(WatcherStream stream, CancellationToken cancellationToken)
    {
        DateTime? lastUpdate = null;
        string? lastStatus = null;
        while (true)
        {
            var row = await jobs.ReloadAsync(stream.JobId, cancellationToken);
            if (row is null)
            {
                return;
            }

            if (row.LastUpdateAt != lastUpdate || row.Status != lastStatus)
            {
                lastUpdate = row.LastUpdateAt;
                lastStatus = row.Status;
                if (await SendRowAsync(stream, row, cancellationToken))
                {
                    return;
                }
            }

            if (await stream.TimedOutOrHeartbeatAsync(cancellationToken))
            {
                return;
            }

            await Task.Delay(options.Value.FallbackPollInterval, time, cancellationToken);
        }
    }

    /// <summary>Sends the row's state (text beyond what the watcher has, then progress or the terminal event).</summary>
    private async Task<bool> SendRowAsync(WatcherStream stream, GenerationJob row, CancellationToken cancellationToken)
    {
        var (position, estimatedStart) = await jobs.QueuePlaceAsync(row, cancellationToken);
        return await stream.SendRowAsync(row, position, cancellationToken, estimatedStart);
    }
}
