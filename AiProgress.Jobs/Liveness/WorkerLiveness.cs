using StackExchange.Redis;

namespace AiProgress.Jobs.Liveness;

/// <summary>
/// Who is alive: each worker refreshes a key with a short TTL on its own timer (never behind a MySQL write), so a
/// worker that died is known dead within that TTL, and its jobs can be taken over at once instead of after the
/// stall timeout. The same marks tell the API whether any worker runs at all.
/// </summary>
public sealed class WorkerLiveness(IConnectionMultiplexer redis)
{
    private IDatabase Db => redis.GetDatabase();

    /// <summary>The mark holds its own lifetime, so a reader can tell a mark that missed its refreshes (see <see cref="IsSilentAsync"/>).</summary>
    public Task MarkAliveAsync(string worker, TimeSpan ttl) =>
        Db.StringSetAsync(RedisKeys.WorkerAlive(worker), (long)ttl.TotalMilliseconds, ttl);

    /// <summary>
    /// True when the worker's mark is gone, or has gone unrefreshed for half its lifetime: a worker refreshes it
    /// several times per lifetime, so one that missed that many is dead or hung, well before the mark expires.
    /// </summary>
    public async Task<bool> IsSilentAsync(string worker)
    {
        var key = RedisKeys.WorkerAlive(worker);
        var lifetime = Db.StringGetAsync(key);
        var left = Db.KeyTimeToLiveAsync(key);
        return await left is not { } remaining || !long.TryParse((string?)await lifetime, out var ms) || remaining.TotalMilliseconds < ms / 2.0;
    }

    public Task ReleaseAsync(string worker) => Db.KeyDeleteAsync(RedisKeys.WorkerAlive(worker));

    /// <summary>Which of <paramref name="workers"/> are alive, in one round trip.</summary>
    public async Task<HashSet<string>> AliveAmongAsync(IReadOnlyList<string> workers)
    {
        if (workers.Count == 0)
        {
            return [];
        }

        var marks = await Db.StringGetAsync(workers.Select(w => RedisKeys.WorkerAlive(w)).ToArray());
        return workers.Where((_, i) => !marks[i].IsNull).ToHashSet();
    }

    /// <summary>How many of the queue's consumers are alive now.</summary>
    public async Task<int> CountAliveAsync()
    {
        try
        {
            var consumers = await Db.StreamConsumerInfoAsync(RedisKeys.Queue, RedisKeys.QueueGroup);
            return (await AliveAmongAsync(consumers.Select(c => (string)c.Name!).ToList())).Count;
        }
        catch (RedisServerException ex) when (ex.Message.StartsWith("NOGROUP", StringComparison.Ordinal) || ex.Message.Contains("no such key", StringComparison.OrdinalIgnoreCase))
        {
            return 0;
        }
    }
}
