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
    // no longer runs the job (its record names a newer one) appends nothing. Returns the last id and the stream's
    // length, or nil when fenced off. A publisher that knows where its own last append left the stream passes that
    // (ARGV 5, 6): when the length still matches, no one appended since and the entry before is not looked up (the
    // look-up copies the whole entry into Lua: a fifth of the script's cost); and the expiry set then still holds, so
    // it is not set again (unless terminal, ARGV 7). A length that does not match (another append, or Redis lost
    // the stream) takes the full path, expiry included.
    private const string AppendScript = """
        if ARGV[1] ~= '' then
          local current = redis.call('HGET', KEYS[2], 'attempt')
          if current and current ~= ARGV[1] then return false end
        end
        local previous = ARGV[5]
        local known = previous ~= '' and redis.call('XLEN', KEYS[1]) == tonumber(ARGV[6])
        if not known then
          local last = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)
          previous = last[1] and last[1][1] or ''
        end
        local note = { previous }
        local id
        for i = 8, #ARGV, 2 do
          id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], '*', 'type', ARGV[i], 'data', ARGV[i + 1])
          note[#note + 1] = id
          note[#note + 1] = ARGV[i]
          note[#note + 1] = ARGV[i + 1]
        end
        if not known or ARGV[7] ~= '' then redis.call('EXPIRE', KEYS[1], ARGV[3]) end
        redis.call('PUBLISH', ARGV[4], table.concat(note, '\n'))
        local length = tonumber(ARGV[6]) + (#ARGV - 7) / 2
        if not known or length > tonumber(ARGV[2]) then length = redis.call('XLEN', KEYS[1]) end
        return { id, length }
        """;

    private IDatabase Db => redis.GetDatabase();

    /// <summary>
    /// Appends the events; with <paramref name="attempt"/> only while that attempt runs the job (see
    /// <see cref="Liveness.JobRuns"/>). False when the append was fenced off: the job is no longer this attempt's.
    /// </summary>
    public async Task<bool> AppendAsync(string jobId, IReadOnlyList<(string Type, string Data)> events, bool terminal = false, int? attempt = null) =>
        events.Count == 0 || await AppendAfterAsync(jobId, events, StreamTail.Unknown, terminal, attempt) is not null;

    /// <summary>
    /// Appends the events after <paramref name="after"/>, where the caller's own last append left the stream (what
    /// that call returned; <see cref="StreamTail.Unknown"/> when it does not know). Returns where this append
    /// leaves it, or null when fenced off: the job is no longer this attempt's.
    /// </summary>
    public async Task<StreamTail?> AppendAfterAsync(
        string jobId, IReadOnlyList<(string Type, string Data)> events, StreamTail after, bool terminal = false, int? attempt = null) =>
        await AppendAfterAsync(new JobStreamKeys(jobId), events, after, terminal, attempt);

    /// <inheritdoc cref="AppendAfterAsync(string, IReadOnlyList{ValueTuple{string, string}}, StreamTail, bool, int?)"/>
    public async ValueTask<StreamTail?> AppendAfterAsync(
        JobStreamKeys keys, IReadOnlyList<(string Type, string Data)> events, StreamTail after, bool terminal = false, int? attempt = null) =>
        TailOf(await AppendAfterAnsweredAsync(keys, events, after, terminal, attempt));

    /// <summary>
    /// The same append, answered as Redis answers it (<see cref="TailOf"/> reads it), for a publisher that awaits it
    /// in its own method: a worker appends for each job 20 times a second, and each async step between it and Redis
    /// was a box per append. With <paramref name="reuse"/> the arguments go in that publisher's arrays; it calls
    /// <see cref="AppendArguments.Return"/> once the append is answered.
    /// </summary>
    public Task<RedisResult> AppendAfterAnsweredAsync(
        JobStreamKeys keys, IReadOnlyList<(string Type, string Data)> events, StreamTail after, bool terminal = false, int? attempt = null,
        AppendArguments? reuse = null)
    {
        ArgumentOutOfRangeException.ThrowIfZero(events.Count);
        var arguments = reuse?.Rent(events.Count) ?? new RedisValue[ArgumentCount(events.Count)];
        // A number, not its text: Redis gets the same digits, and no string is made per append.
        arguments[0] = attempt is { } number ? number : RedisValue.EmptyString;
        arguments[1] = MaxEntries;
        arguments[2] = (long)(terminal ? RetentionAfterEnd : RetentionWhileActive).TotalSeconds;
        arguments[3] = keys.NoteChannel;
        arguments[4] = after.LastId;
        arguments[5] = after.Length;
        arguments[6] = terminal ? "1" : RedisValue.EmptyString;
        for (var i = 0; i < events.Count; i++)
        {
            arguments[7 + i * 2] = events[i].Type;
            arguments[8 + i * 2] = events[i].Data;
        }

        return Db.ScriptEvaluateAsync(AppendScript, keys.ScriptKeys, arguments);
    }

    /// <summary>Where the append left the stream, or null when it was fenced off.</summary>
    public static StreamTail? TailOf(RedisResult answer)
    {
        if (answer.IsNull)
        {
            return null;
        }

        var parts = (RedisResult[])answer!;
        return new StreamTail((string)parts[0]!, (long)parts[1]);
    }

    internal static int ArgumentCount(int events) => 7 + events * 2;

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
