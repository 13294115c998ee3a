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

    /// <summary>Takes up to <paramref name="count"/> entries no worker has seen yet (one XREADGROUP); empty when there are none.</summary>
    public async Task<IReadOnlyList<QueueEntry>> TakeNewAsync(string consumer, int count = 1)
    {
        StreamEntry[] entries;
        try
        {
            entries = await Db.StreamReadGroupAsync(RedisKeys.Queue, RedisKeys.QueueGroup, consumer, ">", count: count);
        }
        catch (RedisServerException ex) when (ex.Message.StartsWith("NOGROUP", StringComparison.Ordinal))
        {
            // Redis lost its data (a restart without persistence): the group is gone, and an enqueue since may
            // have recreated the stream alone. Recreate the group from the start, so those entries are read too.
            await EnsureCreatedAsync();
            entries = await Db.StreamReadGroupAsync(RedisKeys.Queue, RedisKeys.QueueGroup, consumer, ">", count: count);
        }

        return entries.Select(ToQueueEntry).ToArray();
    }

    /// <summary>
    /// Claims one entry another worker can no longer finish: its owner's liveness mark has expired (it died; taken
    /// over at once), or it has not been touched for <paramref name="stallTime"/> (the backstop: a hung owner, or
    /// an entry its own worker no longer runs). Walks the whole pending list page by page, so a dead worker's
    /// entries are found however many live ones come first. XCLAIM's minimum idle time makes one claimer win.
    /// </summary>
    public async Task<QueueEntry?> ClaimOrphanAsync(string consumer, Func<IReadOnlyList<string>, Task<HashSet<string>>> aliveAmong,
        Func<string, bool> runsHere, TimeSpan orphanIdle, TimeSpan stallTime)
    {
        RedisValue? after = null;
        while (true)
        {
            StreamPendingMessageInfo[] page;
            try
            {
                page = await Db.StreamPendingMessagesAsync(RedisKeys.Queue, RedisKeys.QueueGroup, PendingPageSize, RedisValue.Null,
                    minId: after is { } id ? "(" + id : "-", maxId: "+");
            }
            catch (RedisServerException ex) when (ex.Message.StartsWith("NOGROUP", StringComparison.Ordinal))
            {
                // Redis lost its data: no group, so nothing pending to claim. Recreated here as in TakeNewAsync, or a
                // worker whose orphan check comes first would find no group on every round and never read new jobs.
                await EnsureCreatedAsync();
                return null;
            }

            if (page.Length == 0)
            {
                return null;
            }

            var alive = await aliveAmong(page.Select(p => (string)p.ConsumerName!).Where(c => c != consumer).Distinct().ToList());
            foreach (var pending in page)
            {
                var owner = (string)pending.ConsumerName!;
                var idle = TimeSpan.FromMilliseconds(pending.IdleTimeInMilliseconds);
                // Entries of a dead worker go after a moment; anyone else's (ours that no run answers for included) after the stall time.
                var ownerDied = owner != consumer && !alive.Contains(owner);
                var needed = ownerDied ? orphanIdle : stallTime;
                if (idle < needed || (owner == consumer && runsHere((string)pending.MessageId!)))
                {
                    continue;
                }

                var minIdle = (long)needed.TotalMilliseconds;
                var claimed = await Db.StreamClaimAsync(RedisKeys.Queue, RedisKeys.QueueGroup, consumer, minIdle, [pending.MessageId]);
                if (claimed.Length > 0 && claimed[0].IsNull)
                {
                    // The entry itself is gone (its job ended and was dropped) but its delivery was never acknowledged.
                    await Db.StreamAcknowledgeAsync(RedisKeys.Queue, RedisKeys.QueueGroup, pending.MessageId);
                }
                else if (claimed.Length > 0)
                {
                    return ToQueueEntry(claimed[0]);
                }
            }

            if (page.Length < PendingPageSize)
            {
                return null;
            }

            after = page[^1].MessageId;
        }
    }

    private const int PendingPageSize = 500;

    /// <summary>
    /// Resets the idle time of entries this consumer holds, so nobody claims them while it works. In XCLAIMs of
    /// <see cref="HeartbeatChunk"/> ids, pipelined: one of 2,500 ids held Redis's one thread for 8–12 ms (its slow log,
    /// 2,500 jobs on one worker), and every other client's command, live events included, waited behind it.
    /// </summary>
    public Task HeartbeatAsync(string consumer, IReadOnlyCollection<string> entryIds) =>
        Task.WhenAll(entryIds.Chunk(HeartbeatChunk).Select(chunk =>
            Db.StreamClaimIdsOnlyAsync(RedisKeys.Queue, RedisKeys.QueueGroup, consumer, 0, [.. chunk.Select(id => (RedisValue)id)])));

    public const int HeartbeatChunk = 200;

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
