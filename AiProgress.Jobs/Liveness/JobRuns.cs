using StackExchange.Redis;

namespace AiProgress.Jobs.Liveness;

/// <summary>
/// Which attempt runs a job now, and on which worker, kept in Redis beside the job's events: the worker that begins
/// an attempt records it, appends to the event stream are fenced by it (a worker that lost its job cannot add to
/// the stream, as it cannot write the row), and the API reads the owner (<c>StallWatch</c>) to tell watchers when it died.
/// </summary>
public sealed class JobRuns(IConnectionMultiplexer redis)
{
    private static readonly TimeSpan Retention = TimeSpan.FromDays(1);

    // Only a newer attempt replaces the record: a late, stale begin cannot take the fence back.
    private const string RecordScript = """
        local current = tonumber(redis.call('HGET', KEYS[1], 'attempt') or '0')
        if tonumber(ARGV[1]) < current then return 0 end
        redis.call('HSET', KEYS[1], 'attempt', ARGV[1], 'worker', ARGV[2])
        redis.call('EXPIRE', KEYS[1], ARGV[3])
        return 1
        """;

    public async Task<bool> RecordAsync(string jobId, int attempt, string worker) =>
        (int)await redis.GetDatabase().ScriptEvaluateAsync(RecordScript, [RedisKeys.JobRun(jobId)],
            [attempt, worker, (long)Retention.TotalSeconds]) == 1;
}
