using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace AiProgress.Api.Live;

/// <summary>
/// Caps open progress streams: per client across every API replica (leases in a Redis sorted set, scored by
/// expiry, so a replica that dies frees its leases within <see cref="LeaseTime"/>), and per source address and
/// per process here. Without Redis the per-client count falls back to this process.
/// </summary>
public sealed class StreamLimiter(IConnectionMultiplexer redis, IOptions<ApiOptions> options, ILogger<StreamLimiter> logger)
{
    public static readonly TimeSpan LeaseTime = TimeSpan.FromSeconds(60);
    private const string ProcessKey = "";

    // Times come from Redis itself, so replicas with skewed clocks agree.
    private const string AcquireScript = """
        local t = redis.call('TIME')
        local now = t[1] * 1000 + math.floor(t[2] / 1000)
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
        if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then return 0 end
        redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[3])
        redis.call('PEXPIRE', KEYS[1], ARGV[2])
        return 1
        """;

    private const string RenewScript = """
        local t = redis.call('TIME')
        local now = t[1] * 1000 + math.floor(t[2] / 1000)
        for i = 2, #ARGV do redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[1]), ARGV[i]) end
        redis.call('PEXPIRE', KEYS[1], ARGV[1])
        return 1
        """;

    private readonly ConcurrentDictionary<string, int> _local = new();
    private readonly ConcurrentDictionary<Lease, byte> _leases = new();

    public static RedisKey ClientKey(string clientId) => $"aiprogress:streams:{clientId}";

    /// <summary>A lease to dispose when the stream ends, or null when a limit is reached.</summary>
    public async Task<IAsyncDisposable?> TryAcquireAsync(string clientId, string address)
    {
        var limits = options.Value;
        if (!TryTake(ProcessKey, limits.MaxStreamsPerProcess))
        {
            return null;
        }

        if (!TryTake("address:" + address, limits.MaxStreamsPerAddress))
        {
            Give(ProcessKey);
            return null;
        }

        var lease = new Lease(this, clientId, address, Guid.NewGuid().ToString("N"));
        if (!await TryTakeClientAsync(lease, limits.MaxStreamsPerClient))
        {
            Give(ProcessKey);
            Give("address:" + address);
            return null;
        }

        _leases[lease] = 0;
        return lease;
    }

    /// <summary>Extends every lease this process holds; called well within <see cref="LeaseTime"/>.</summary>
    public async Task RenewAsync()
    {
        foreach (var group in _leases.Keys.Where(l => !l.Local).GroupBy(l => l.ClientId))
        {
            RedisValue[] args = [(long)LeaseTime.TotalMilliseconds, .. group.Select(l => (RedisValue)l.Id)];
            await redis.GetDatabase().ScriptEvaluateAsync(RenewScript, [ClientKey(group.Key)], args);
        }
    }

    private async Task<bool> TryTakeClientAsync(Lease lease, int limit)
    {
        if (redis.IsConnected)
        {
            try
            {
                var taken = await redis.GetDatabase().ScriptEvaluateAsync(AcquireScript, [ClientKey(lease.ClientId)],
                    [limit, (long)LeaseTime.TotalMilliseconds, lease.Id]);
                return (int)taken == 1;
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                logger.LogWarning(ex, "Redis cannot count streams; counting this process's only");
            }
        }

        lease.Local = true;
        return TryTake("client:" + lease.ClientId, limit);
    }

    private async ValueTask ReleaseAsync(Lease lease)
    {
        _leases.TryRemove(lease, out _);
        Give(ProcessKey);
        Give("address:" + lease.Address);
        if (lease.Local)
        {
            Give("client:" + lease.ClientId);
            return;
        }

        try
        {
            await redis.GetDatabase().SortedSetRemoveAsync(ClientKey(lease.ClientId), lease.Id);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            logger.LogWarning(ex, "Could not release a stream lease; it expires by itself");
        }
    }

    private bool TryTake(string key, int limit)
    {
        if (_local.AddOrUpdate(key, 1, (_, n) => n + 1) <= limit)
        {
            return true;
        }

        Give(key);
        return false;
    }

    private void Give(string key)
    {
        if (_local.AddOrUpdate(key, 0, (_, n) => n - 1) <= 0)
        {
            _local.TryRemove(new KeyValuePair<string, int>(key, 0));
        }
    }

    private sealed class Lease(StreamLimiter limiter, string clientId, string address, string id) : IAsyncDisposable
    {
        private int _disposed;

        public string ClientId => clientId;
        public string Address => address;
        public string Id => id;
        public bool Local { get; set; }

        public ValueTask DisposeAsync() =>
            Interlocked.Exchange(ref _disposed, 1) == 0 ? limiter.ReleaseAsync(this) : ValueTask.CompletedTask;
    }
}

/// <summary>Keeps this process's stream leases alive in Redis while their streams are open.</summary>
public sealed class StreamLeaseRenewal(StreamLimiter limiter, ILogger<StreamLeaseRenewal> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(StreamLimiter.LeaseTime / 3);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await limiter.RenewAsync();
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                logger.LogWarning(ex, "Could not renew stream leases");
            }
        }
    }
}
