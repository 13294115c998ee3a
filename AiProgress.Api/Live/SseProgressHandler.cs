using System.Diagnostics;
using AiProgress.Api.Generation;
using AiProgress.Jobs.Data;
using AiProgress.Jobs.Events;
using AiProgress.Jobs.Telemetry;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace AiProgress.Api.Live;

/// <summary>
/// Serves one watcher of one job. The first bytes are a <c>retry:</c> line and the job's current state; after
/// that, the frames of the job's feed (one reader per job in this process, see <see cref="JobFeed"/>), so
/// Last-Event-ID resumes exactly. Without Redis it falls back to the seed's design: poll the row every 200 ms.
/// </summary>
public sealed class SseProgressHandler(
    JobService jobs,
    JobEventStream events,
    JobFeeds feeds,
    IOptions<ApiOptions> options,
    TimeProvider time,
    ILogger<SseProgressHandler> logger)
{
    private static readonly TimeSpan ClientRetry = TimeSpan.FromSeconds(2);
    private const int FramesPerFlush = 64;

    /// <summary>How long a stream polls before it tries the feed again once Redis is back: a flapping connection does not flip it every poll.</summary>
    private static readonly TimeSpan FeedRetryAfter = TimeSpan.FromSeconds(2);

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
            while (true)
            {
                try
                {
                    if (!options.Value.ForcePolling && await FollowFeedAsync(stream, lastEventId, cancellationToken))
                    {
                        return;
                    }
                }
                catch (Exception ex) when (ex is RedisException or TimeoutException)
                {
                    logger.LogWarning(ex, "Redis is unavailable; job {JobId}'s stream falls back to polling the database", job.JobId);
                }

                if (await StreamByPollingAsync(stream, cancellationToken))
                {
                    return;
                }

                // Redis is back: the feed's snapshot carries the whole text, which the text-merge rule lays over what
                // the watcher holds without a change, and its frames go on from there.
                logger.LogInformation("Redis is back; job {JobId}'s stream follows its feed again", job.JobId);
                lastEventId = null;
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

    /// <summary>Follows the job's feed; false when Redis was lost and the stream must go on by polling.</summary>
    private async Task<bool> FollowFeedAsync(WatcherStream stream, string? lastEventId, CancellationToken cancellationToken)
    {
        using var join = await feeds.JoinAsync(stream.JobId, cancellationToken);
        var resuming = StreamIds.TryParse(lastEventId, out var resumeFrom);
        var first = resuming ? await join.ResumeFramesAsync(events, resumeFrom) : join.Snapshot;
        foreach (var frame in first)
        {
            stream.Append(frame);
        }

        await stream.FlushAsync(cancellationToken);
        if (first.Any(f => f.IsTerminal))
        {
            return true;
        }

        using var deadline = new CancellationTokenSource(stream.UntilDeadline, time);
        using var until = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        var frames = join.Watcher.Frames;
        // The wait below takes no token (see StopWaiting): the deadline or a client gone end it through this.
        using var stopWaiting = until.Token.UnsafeRegister(static watcher => ((FeedWatcher)watcher!).StopWaiting(), join.Watcher);
        try
        {
            while (await frames.WaitToReadAsync())
            {
                // Everything waiting goes out in one flush: a watcher that fell behind catches up in few writes.
                for (var written = 0; written < FramesPerFlush && frames.TryRead(out var frame);)
                {
                    if (resuming && frame.Id is not null && StreamIds.Compare(frame.Order, resumeFrom) <= 0)
                    {
                        continue;
                    }

                    stream.Append(frame);
                    written++;
                    if (frame.IsTerminal)
                    {
                        await stream.FlushAsync(cancellationToken);
                        return true;
                    }
                }

                await stream.FlushAsync(until.Token);
            }

            until.Token.ThrowIfCancellationRequested();
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            await stream.SendTimeoutAsync(cancellationToken);
            return true;
        }

        if (join.Watcher.End == FeedEnd.TooSlow)
        {
            logger.LogInformation("A watcher of job {JobId} fell {Frames} frames behind and was let go; it resumes by Last-Event-ID", stream.JobId, options.Value.WatcherBufferFrames);
        }

        // Finished (the job's row is gone) or too slow: the connection ends. Lost Redis: on by polling.
        return join.Watcher.End != FeedEnd.RedisLost;
    }

    /// <summary>
    /// Polls the row until the stream ends (true), or until Redis has been back for a while and the stream can follow
    /// the job's feed again (false; never when polling is forced).
    /// </summary>
    private async Task<bool> StreamByPollingAsync(WatcherStream stream, CancellationToken cancellationToken)
    {
        DateTime? lastUpdate = null;
        string? lastStatus = null;
        var pollingSince = time.GetTimestamp();
        while (true)
        {
            if (!options.Value.ForcePolling && feeds.CanFollow && time.GetElapsedTime(pollingSince) >= FeedRetryAfter)
            {
                return false;
            }

            var row = await jobs.ReloadAsync(stream.JobId, cancellationToken);
            if (row is null)
            {
                return true;
            }

            if (row.LastUpdateAt != lastUpdate || row.Status != lastStatus)
            {
                lastUpdate = row.LastUpdateAt;
                lastStatus = row.Status;
                var (position, estimatedStart) = await jobs.QueuePlaceAsync(row, cancellationToken);
                if (await stream.SendRowAsync(row, position, cancellationToken, estimatedStart))
                {
                    return true;
                }
            }

            if (await stream.TimedOutOrHeartbeatAsync(cancellationToken))
            {
                return true;
            }

            await Task.Delay(options.Value.FallbackPollInterval, time, cancellationToken);
        }
    }
}
