using StackExchange.Redis;

namespace AiProgress.Jobs.Events;

/// <summary>
/// A job's live events as a Redis Stream: the worker appends, every API replica reads by id. Stream ids grow
/// per job, so they serve as SSE ids and make Last-Event-ID resume exact. A Pub/Sub note after each append
/// tells API processes that there is something to read.
/// </summary>
public sealed class JobEventStream(IConnectionMultiplexer redis)
{
    /// <summary>False while the connection is down; callers skip live events rather than wait out timeouts.</summary>
    public bool IsAvailable => redis.IsConnected;

    /// <summary>Bounds a runaway job; 20,000 entries hold far more than 8,192 tokens of text events.</summary>
    private const int MaxEntries = 20_000;
    public static readonly TimeSpan RetentionAfterEnd = TimeSpan.FromHours(1);

    private IDatabase Db => redis.GetDatabase();

    public async Task AppendAsync(string jobId, IReadOnlyList<(string Type, string Data)> events, bool terminal = false)
    {
        if (events.Count == 0)
        {
            return;
        }

        var key = RedisKeys.JobEvents(jobId);
        var batch = Db.CreateBatch();
        var appends = events
            .Select(e => batch.StreamAddAsync(key, [new("type", e.Type), new("data", e.Data)],
                maxLength: MaxEntries, useApproximateMaxLength: true))
            .ToList();
        var expiry = batch.KeyExpireAsync(key, terminal ? RetentionAfterEnd : TimeSpan.FromDays(1));
        var publish = batch.PublishAsync(RedisKeys.JobEventsAppended, jobId);
        batch.Execute();
        await Task.WhenAll([.. appends, expiry, publish]);
    }

    public Task AppendAsync(string jobId, (string Type, string Data) e, bool terminal = false) =>
        AppendAsync(jobId, [e], terminal);

    /// <summary>Events after <paramref name="afterId"/> (exclusive), or from the start when it is null.</summary>
    public async Task<IReadOnlyList<JobEvent>> ReadAfterAsync(string jobId, string? afterId, int max = 1000)
    {
        var entries = await Db.StreamRangeAsync(RedisKeys.JobEvents(jobId), afterId is null ? "-" : "(" + afterId, "+", count: max);
        return entries.Select(e => new JobEvent(e.Id!, (string)e["type"]!, (string)e["data"]!)).ToList();
    }

}
