using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace AiProgress.Jobs.Events;

/// <summary>
/// A job's live events as a Redis Stream: the worker appends, every API replica reads by id. Stream ids grow
/// per job, so they serve as SSE ids and make Last-Event-ID resume exact. A Pub/Sub note on the job's own channel
/// after each append carries the events, so an API process watching the job needs no read to pass them on.
/// </summary>
public sealed class JobEventStream([FromKeyedServices(JobEventStream.ConnectionKey)] IConnectionMultiplexer redis)
{
    /// <summary>The key of the untraced connection the events go over (<see cref="LiveEventsConnection"/>).</summary>
    public const string ConnectionKey = "live-events";

    /// <summary>False while the connection is down; callers skip live events rather than wait out timeouts.</summary>
    public bool IsAvailable => redis.IsConnected;

    /// <summary>Bounds a runaway job; 20,000 entries hold far more than 8,192 tokens of text events.</summary>
    private const int MaxEntries = 20_000;
    public static readonly TimeSpan RetentionAfterEnd = TimeSpan.FromHours(1);
    private static readonly TimeSpan RetentionWhileActive = TimeSpan.FromDays(1);

    // One script, so the fence check, the appends, the expiry and the note are one step: a worker whose attempt
    // no longer runs the job (its record names a newer one) appends nothing. Returns 1, or 0 when fenced off.
    private const string AppendScript = """
        if ARGV[1] ~= '' then
          local current = redis.call('HGET', KEYS[2], 'attempt')
          if current and current ~= ARGV[1] then return 0 end
        end
        local last = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)
        local note = { last[1] and last[1][1] or '' }
        for i = 5, #ARGV, 2 do
          local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], '*', 'type', ARGV[i], 'data', ARGV[i + 1])
          note[#note + 1] = id
          note[#note + 1] = ARGV[i]
          note[#note + 1] = ARGV[i + 1]
        end
        redis.call('EXPIRE', KEYS[1], ARGV[3])
        redis.call('PUBLISH', ARGV[4], table.concat(note, '\n'))
        return 1
        """;

    private IDatabase Db => redis.GetDatabase();

    /// <summary>
    /// Appends the events; with <paramref name="attempt"/> only while that attempt runs the job (see
    /// <see cref="Liveness.JobRuns"/>). False when the append was fenced off: the job is no longer this attempt's.
    /// </summary>
    public async Task<bool> AppendAsync(string jobId, IReadOnlyList<(string Type, string Data)> events, bool terminal = false, int? attempt = null)
    {
        if (events.Count == 0)
        {
            return true;
        }

        var arguments = new RedisValue[4 + events.Count * 2];
        arguments[0] = attempt?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "";
        arguments[1] = MaxEntries;
        arguments[2] = (long)(terminal ? RetentionAfterEnd : RetentionWhileActive).TotalSeconds;
        arguments[3] = RedisKeys.JobEventsAppended(jobId).ToString();
        for (var i = 0; i < events.Count; i++)
        {
            arguments[4 + i * 2] = events[i].Type;
            arguments[5 + i * 2] = events[i].Data;
        }

        var result = await Db.ScriptEvaluateAsync(AppendScript, [RedisKeys.JobEvents(jobId), RedisKeys.JobRun(jobId)], arguments);
        return (int)result == 1;
    }

    public Task<bool> AppendAsync(string jobId, (string Type, string Data) e, bool terminal = false, int? attempt = null) =>
        AppendAsync(jobId, [e], terminal, attempt);

    /// <summary>Events after <paramref name="afterId"/> (exclusive), or from the start when it is null.</summary>
    public async Task<IReadOnlyList<JobEvent>> ReadAfterAsync(string jobId, string? afterId, int max = 1000)
    {
        return ToEvents(await Db.StreamRangeAsync(RedisKeys.JobEvents(jobId), afterId is null ? "-" : "(" + afterId, "+", count: max));
    }

    /// <summary>Events from the start up to <paramref name="lastId"/> (inclusive).</summary>
    public async Task<IReadOnlyList<JobEvent>> ReadUpToAsync(string jobId, string lastId)
    {
        return ToEvents(await Db.StreamRangeAsync(RedisKeys.JobEvents(jobId), "-", lastId));
    }

    private static List<JobEvent> ToEvents(StreamEntry[] entries) =>
        entries.Select(e => new JobEvent(e.Id!, (string)e["type"]!, (string)e["data"]!)).ToList();
}
