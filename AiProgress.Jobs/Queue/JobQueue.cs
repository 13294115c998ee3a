using StackExchange.Redis;

namespace AiProgress.Jobs.Queue;

/// <summary>
/// A crash-safe job queue on a Redis Stream with one consumer group. An entry stays pending (owned by a worker)
/// until the job is terminal; a worker keeps its entries fresh with heartbeats, and entries whose owner fell
/// silent are claimed by another worker. StackExchange.Redis cannot block on XREADGROUP, so idle workers are
/// woken by Pub/Sub and poll as a safety net.
/// </summary>
public sealed class JobQueue(IConnectionMultiplexer redis, TimeProvider timeProvider)
{
    private IDatabase Db => redis.GetDatabase();

    public async Task EnsureCreatedAsync()
    {
        try
        {
            await Db.StreamCreateConsumerGroupAsync(RedisKeys.Queue, RedisKeys.QueueGroup, "0-0", createStream: true);
        }
        catch (RedisServerException ex) when (ex.Message.StartsWith("BUSYGROUP", StringComparison.Ordinal))
        {
            // Created already by another process.
        }
    }

    public async Task<string> EnqueueAsync(string jobId, string? traceParent)
    {
        var enqueuedAt = timeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        NameValueEntry[] fields =
        [
            new("job_id", jobId),
            new("traceparent", traceParent ?? ""),
            new("enqueued_at", enqueuedAt),
        ];
        var entryId = await Db.StreamAddAsync(RedisKeys.Queue, fields);
        await Db.PublishAsync(RedisKeys.QueueWake, jobId, CommandFlags.FireAndForget);
        return entryId.ToString();
    }

    /// <summary>Takes the next entry no worker has seen yet, or null when there is none.</summary>
    public async Task<QueueEntry?> TakeNewAsync(string consumer)
    {
        StreamEntry[] entries;
        try
        {
            entries = await Db.StreamReadGroupAsync(RedisKeys.Queue, RedisKeys.QueueGroup, consumer, ">", count: 1);
        }
        catch (RedisServerException ex) when (ex.Message.StartsWith("NOGROUP", StringComparison.Ordinal))
        {
            // Redis lost its data (a restart without persistence): the group is gone, and an enqueue since may
            // have recreated the stream alone. Recreate the group from the start, so those entries are read too.
            await EnsureCreatedAsync();
            entries = await Db.StreamReadGroupAsync(RedisKeys.Queue, RedisKeys.QueueGroup, consumer, ">", count: 1);
        }

        return entries.Length == 0 ? null : ToQueueEntry(entries[0]);
    }

    /// <summary>Claims one entry whose owner has not sent a heartbeat for <paramref name="stallTime"/>.</summary>
    public async Task<QueueEntry?> ClaimStalledAsync(string consumer, TimeSpan stallTime)
    {
        var result = await Db.StreamAutoClaimAsync(
            RedisKeys.Queue, RedisKeys.QueueGroup, consumer, (long)stallTime.TotalMilliseconds, "0-0", count: 1);
        return result.ClaimedEntries.Length == 0 || result.ClaimedEntries[0].IsNull
            ? null
            : ToQueueEntry(result.ClaimedEntries[0]);
    }

    /// <summary>Resets the idle time of entries this consumer holds, so nobody claims them while it works.</summary>
    public Task HeartbeatAsync(string consumer, IReadOnlyCollection<string> entryIds) =>
        entryIds.Count == 0
            ? Task.CompletedTask
            : Db.StreamClaimIdsOnlyAsync(RedisKeys.Queue, RedisKeys.QueueGroup, consumer, 0,
                entryIds.Select(id => (RedisValue)id).ToArray());

    /// <summary>Done with an entry for good: the job is terminal (or was never runnable).</summary>
    public async Task CompleteAsync(string entryId)
    {
        var transaction = Db.CreateTransaction();
        _ = transaction.StreamAcknowledgeAsync(RedisKeys.Queue, RedisKeys.QueueGroup, entryId);
        _ = transaction.StreamDeleteAsync(RedisKeys.Queue, [entryId]);
        await transaction.ExecuteAsync();
    }

    /// <summary>Gives a job back (worker shutting down): a fresh entry for it, then the old one is dropped.</summary>
    public async Task<string> HandBackAsync(QueueEntry entry)
    {
        var newEntryId = await EnqueueAsync(entry.JobId, entry.TraceParent);
        await CompleteAsync(entry.EntryId);
        return newEntryId;
    }

    public async Task<long> LengthAsync() => await Db.StreamLengthAsync(RedisKeys.Queue);

    private static QueueEntry ToQueueEntry(StreamEntry entry)
    {
        var enqueuedAt = long.TryParse((string?)entry["enqueued_at"], out var ms) ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : DateTimeOffset.UtcNow;
        var traceParent = (string?)entry["traceparent"];
        return new QueueEntry(entry.Id!, (string)entry["job_id"]!, string.IsNullOrEmpty(traceParent) ? null : traceParent, enqueuedAt);
    }
}
