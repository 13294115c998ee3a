using StackExchange.Redis;

namespace AiProgress.Jobs;

/// <summary>Every Redis key and channel the system uses, in one place.</summary>
public static class RedisKeys
{
    public static readonly RedisKey Queue = "aiprogress:queue";
    public const string QueueGroup = "workers";

    /// <summary>Published on enqueue so idle workers wake at once instead of waiting for their next poll.</summary>
    public static readonly RedisChannel QueueWake = RedisChannel.Literal("aiprogress:queue:wake");

    /// <summary>Published with a job id when a job is cancelled, so the worker running it stops its stream.</summary>
    public static readonly RedisChannel Cancel = RedisChannel.Literal("aiprogress:cancel");

    /// <summary>
    /// Published after every append to a job's stream, carrying the events (see <see cref="Events.JobEventNote"/>):
    /// one channel per job, so an API process hears only of the jobs it has watchers for.
    /// </summary>
    public static RedisChannel JobEventsAppended(string jobId) => RedisChannel.Literal($"aiprogress:job:{jobId}:appended");

    public static RedisKey JobEvents(string jobId) => $"aiprogress:job:{jobId}:events";

    /// <summary>Hash of the attempt that runs a job now and the worker running it: fences event appends, names the owner.</summary>
    public static RedisKey JobRun(string jobId) => $"aiprogress:job:{jobId}:run";

    /// <summary>A worker's liveness mark: a key with a short TTL that the worker refreshes on its own timer.</summary>
    public static RedisKey WorkerAlive(string worker) => $"aiprogress:worker:{worker}:alive";

    /// <summary>Set (with a short TTL) by workers while the LLM server is unreachable.</summary>
    public static readonly RedisKey LlmUnavailable = "aiprogress:llm:unavailable";
}
