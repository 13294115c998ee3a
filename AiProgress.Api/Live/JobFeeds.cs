using AiProgress.Api.Generation;
using AiProgress.Jobs.Events;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace AiProgress.Api.Live;

/// <summary>
/// The feeds of the jobs watched in this process, one per job, opened by its first watcher and closed after its
/// last. Each listens on its job's own channel, so the process hears nothing of jobs nobody here watches.
/// </summary>
public sealed class JobFeeds(
    IConnectionMultiplexer redis,
    JobEventStream events,
    JobService jobs,
    StallWatch stalls,
    IOptions<ApiOptions> options,
    TimeProvider time,
    ILogger<JobFeed> logger)
{
    private readonly Dictionary<string, JobFeed> _feeds = [];
    private int _connectionWatchStarted;

    /// <summary>Whether a feed can be followed now: both Redis connections, the subscriptions' and the live events', are up.</summary>
    public bool CanFollow => redis.IsConnected && events.IsAvailable;

    /// <summary>Joins the job's feed; throws a <see cref="RedisException"/> when Redis cannot be reached.</summary>
    public async Task<FeedJoin> JoinAsync(string jobId, CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _connectionWatchStarted, 1) == 0)
        {
            // A lost connection ends every feed at once, so watchers switch to the row instead of waiting.
            redis.ConnectionFailed += (_, _) => AbortAll();
        }

        while (true)
        {
            if (!redis.IsConnected)
            {
                throw new RedisConnectionException(ConnectionFailureType.SocketFailure, "Redis connection lost");
            }

            var feed = OpenOrGet(jobId);
            try
            {
                await feed.Ready.WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // It closed before it was ready; TryJoin tells whether the job is over or a new feed is needed.
            }

            if (feed.TryJoin(options.Value.WatcherBufferFrames) is { } join)
            {
                return join;
            }

            // It closed between our finding it and joining (its last watcher left, or its job ended): a new one.
            Forget(feed);
        }
    }

    private JobFeed OpenOrGet(string jobId)
    {
        lock (_feeds)
        {
            if (_feeds.TryGetValue(jobId, out var open) && !open.Completion.IsCompleted)
            {
                return open;
            }

            var feed = new JobFeed(jobId, events, jobs, stalls, options.Value, time, logger);
            _feeds[jobId] = feed;
            ApiTelemetry.Feeds.Add(1);
            feed.Start(redis.GetSubscriber());
            _ = feed.Completion.ContinueWith(_ => Forget(feed), TaskScheduler.Default);
            return feed;
        }
    }

    private void Forget(JobFeed feed)
    {
        lock (_feeds)
        {
            // Only this feed: a newer one for the same job may have taken its place already.
            if (_feeds.TryGetValue(feed.JobId, out var held) && ReferenceEquals(held, feed))
            {
                _feeds.Remove(feed.JobId);
                ApiTelemetry.Feeds.Add(-1);
            }
        }
    }

    private void AbortAll()
    {
        JobFeed[] open;
        lock (_feeds)
        {
            open = [.. _feeds.Values];
        }

        foreach (var feed in open)
        {
            feed.Abort();
        }
    }
}
