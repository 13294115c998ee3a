using AiProgress.Jobs.Events;
using AiProgress.Jobs.Lifecycle;
using Microsoft.Extensions.Options;

namespace AiProgress.Worker.Jobs;

/// <summary>
/// While workers wait for the LLM server, queued jobs are not taken; those whose deadline passes meanwhile end
/// failed here, with a message that says why (and never where the server is).
/// </summary>
public sealed class ExpiredJobs(JobLifecycle lifecycle, JobEventStream events, IOptions<WorkerOptions> options, TimeProvider time, ILogger<ExpiredJobs> logger)
{
    private static readonly TimeSpan CheckEvery = TimeSpan.FromSeconds(5);
    private long _lastCheck;

    public async Task FailQueuedPastDeadlineAsync(CancellationToken cancellationToken)
    {
        if (_lastCheck != 0 && time.GetElapsedTime(_lastCheck) < CheckEvery)
        {
            return;
        }

        _lastCheck = time.GetTimestamp();
        var deadline = options.Value.JobDeadline;
        var message = JobRunner.DeadlineMessage(deadline);
        try
        {
            foreach (var (jobId, attempt) in await lifecycle.QueuedBeforeAsync(time.GetUtcNow().UtcDateTime - deadline, max: 500, cancellationToken))
            {
                if (await lifecycle.FailAsync(jobId, attempt, message, text: null, cancellationToken))
                {
                    logger.LogWarning("Job {JobId} failed: {Error}", jobId, message);
                    await events.AppendAsync(jobId, JobEvents.Failed(message), terminal: true);
                }
            }
        }
        catch (Exception ex) when (ex is System.Data.Common.DbException or StackExchange.Redis.RedisException or TimeoutException)
        {
            logger.LogWarning(ex, "Could not end the jobs whose deadline passed");
        }
    }
}
