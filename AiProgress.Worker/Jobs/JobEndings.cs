using Polly;
using Polly.Retry;
using AiProgress.Jobs.Data;
using AiProgress.Jobs.Events;
using AiProgress.Jobs.Lifecycle;
using AiProgress.Jobs.Queue;

namespace AiProgress.Worker.Jobs;

/// <summary>
/// How a run ends: its terminal row (fenced by attempt), its last events, its queue entry and its count.
/// A row that no longer matches means the job was cancelled or taken over meanwhile, and is left alone.
/// </summary>
public sealed class JobEndings(
    JobLifecycle lifecycle,
    CompletionWrites completions,
    JobQueue queue,
    JobEventStream events,
    LiveEvents liveEvents,
    ILogger<JobEndings> logger)
{
    // A job's end must be written: MySQL restarting for a few seconds delays it instead of losing it.
    private static readonly ResiliencePipeline EndWrites = new ResiliencePipelineBuilder()
        .AddRetry(new RetryStrategyOptions
        {
            // EF wraps a lost connection in an InvalidOperationException ("likely due to a transient failure").
            ShouldHandle = new PredicateBuilder().Handle<System.Data.Common.DbException>().Handle<TimeoutException>()
                .Handle<InvalidOperationException>(ex => ex.InnerException is System.Data.Common.DbException),
            MaxRetryAttempts = 8,
            BackoffType = DelayBackoffType.Exponential,
            Delay = TimeSpan.FromMilliseconds(250),
            MaxDelay = TimeSpan.FromSeconds(5),
            UseJitter = true,
        })
        .Build();

    private static Task<bool> WriteEndAsync(Func<CancellationToken, Task<bool>> write) =>
        EndWrites.ExecuteAsync(async token => await write(token), CancellationToken.None).AsTask();

    public async Task CompleteAsync(ActiveJob run, FinalCounts counts)
    {
        var snapshot = run.Tracker.Snapshot();
        var text = run.Tracker.TextFrom(0);
        run.Advance(RunPhase.WritingEnd);
        // The last tokens go to watchers now, not after the row's commit (an fsync): they are this attempt's either way.
        await liveEvents.PublishAsync(run, force: false);
        if (!await WriteEndAsync(token => completions.CompleteAsync(new Completion(run.JobId, run.Attempt, counts, text, snapshot.ElapsedMs), token)))
        {
            logger.LogInformation("Job {JobId} finished generating but was cancelled or taken over meanwhile", run.JobId);
            run.Advance(RunPhase.Ended);
            return;
        }

        await liveEvents.FinishAsync(run, JobEvents.Completed(counts, snapshot.ElapsedMs));
        await queue.CompleteAsync(run.Entry.EntryId);
        WorkerTelemetry.CountEnded(JobStatus.Completed, run.Job.Model);
        logger.LogInformation("Job {JobId} completed: {Tokens} tokens at {Rate} tokens/s", run.JobId, counts.CompletionTokens, counts.TokensPerSecond);
    }

    public async Task FailAsync(ActiveJob run, string message)
    {
        logger.LogWarning("Job {JobId} failed: {Error}", run.JobId, message);
        // The log keeps the detail; the row and the event, which clients read, do not name the LLM server.
        message = ClientErrorMessage.Sanitize(message);
        run.Advance(RunPhase.WritingEnd);
        if (await WriteEndAsync(token => lifecycle.FailAsync(run.JobId, run.Attempt, message, run.Tracker.TextFrom(0), token)))
        {
            await liveEvents.FinishAsync(run, JobEvents.Failed(message));
            WorkerTelemetry.CountEnded(JobStatus.Failed, run.Job.Model);
        }

        run.Advance(RunPhase.Ended);
        await queue.CompleteAsync(run.Entry.EntryId);
    }

    public async Task GiveUpAsync(GenerationJob job, QueueEntry entry, string message)
    {
        logger.LogWarning("Job {JobId} failed: {Error}", job.JobId, message);
        message = ClientErrorMessage.Sanitize(message);
        if (await WriteEndAsync(token => lifecycle.FailAsync(job.JobId, job.Attempt, message, text: null, token)))
        {
            await events.AppendAsync(job.JobId, JobEvents.Failed(message), terminal: true);
            WorkerTelemetry.CountEnded(JobStatus.Failed, job.Model);
        }

        await queue.CompleteAsync(entry.EntryId);
    }

    /// <summary>
    /// The LLM server is down: watchers are told, the job goes back to the queue (its attempt not counted) and
    /// waits there for the server, until its deadline.
    /// </summary>
    public async Task HandBackForOutageAsync(ActiveJob run, string message)
    {
        logger.LogWarning("Job {JobId} goes back to the queue: {Reason}", run.JobId, message);
        run.StalledReason = StalledReasons.LlmUnavailable;
        await liveEvents.PublishAsync(run, force: true);
        run.Advance(RunPhase.Ended);
        if (await WriteEndAsync(token => lifecycle.HandBackForOutageAsync(run.JobId, run.Attempt, token)))
        {
            await queue.HandBackAsync(run.Entry);
        }
    }

    public async Task StoppedAsync(ActiveJob run, StopReason reason)
    {
        switch (reason)
        {
            case StopReason.Cancelled:
                // The API wrote the cancelled row and its event; nothing more is published for this job.
                run.Advance(RunPhase.Ended);
                await queue.CompleteAsync(run.Entry.EntryId);
                WorkerTelemetry.CountEnded(JobStatus.Cancelled, run.Job.Model);
                logger.LogInformation("Job {JobId} cancelled; its Ollama stream is closed", run.JobId);
                break;
            case StopReason.Shutdown:
                await liveEvents.PublishAsync(run, force: true);
                run.Advance(RunPhase.Ended);
                await queue.HandBackAsync(run.Entry);
                logger.LogInformation("Worker stopping: job {JobId} handed back to the queue after {Tokens} tokens", run.JobId, run.Tracker.Tokens);
                break;
            case StopReason.TakenOver:
                // Another attempt owns the job (or it is terminal): its queue entry is not ours to touch.
                run.Advance(RunPhase.Ended);
                break;
        }
    }
}
