using AiProgress.Jobs;
using AiProgress.Jobs.Data;
using AiProgress.Jobs.Events;
using AiProgress.Jobs.Liveness;
using StackExchange.Redis;

namespace AiProgress.Api.Live;

/// <summary>
/// Why a job that is not over does not move, from what the workers leave in Redis: the LLM server marked down,
/// or the worker named as the job's owner silent (its liveness mark gone, or unrefreshed for half its lifetime).
/// </summary>
public sealed class StallWatch(IConnectionMultiplexer redis, WorkerLiveness liveness)
{
    public async Task<string?> ReasonAsync(string jobId, string status)
    {
        if (JobStatus.IsTerminal(status))
        {
            return null;
        }

        var batch = redis.GetDatabase().CreateBatch();
        var llmDown = batch.KeyExistsAsync(RedisKeys.LlmUnavailable);
        var owner = batch.HashGetAsync(RedisKeys.JobRun(jobId), "worker");
        batch.Execute();
        if (await llmDown)
        {
            return StalledReasons.LlmUnavailable;
        }

        var worker = await owner;
        if (status != JobStatus.Processing || worker.IsNull)
        {
            return null;
        }

        return await liveness.IsSilentAsync((string)worker!) ? StalledReasons.WorkerLost : null;
    }
}
