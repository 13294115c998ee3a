using System.Diagnostics;
using AiProgress.Jobs.Events;
using AiProgress.Jobs.Lifecycle;
using AiProgress.Jobs.Liveness;
using AiProgress.Jobs.Queue;
using AiProgress.Worker.Generation;
using AiProgress.Worker.Progress;
using Microsoft.Extensions.Options;

namespace AiProgress.Worker.Jobs;

/// <summary>Runs one job taken from the queue to a terminal state, or hands it back when the worker stops.</summary>
public sealed partial class JobRunner(
    JobLifecycle lifecycle,
    JobQueue queue,
    JobEventStream events,
    OllamaGenerationClient ollama,
    ActiveJobs active,
    LiveEvents liveEvents,
    JobEndings endings,
    JobRuns runs,
    CompletionLengths lengths,
    WorkerIdentity identity,
    IOptions<WorkerOptions> options,
    TimeProvider time,
    ILogger<JobRunner> logger)
{
    public async Task RunAsync(QueueEntry entry, CancellationToken stopping)
    {
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["JobId"] = entry.JobId });
        var parent = ActivityContext.TryParse(entry.TraceParent, null, out var context) ? context : default;
        using var activity = WorkerTelemetry.Source.StartActivity("process job", ActivityKind.Consumer, parent);
        activity?.SetTag("aiprogress.job.id", entry.JobId);
        activity?.SetTag("messaging.system", "redis");
        activity?.SetTag("messaging.message.id", entry.EntryId);

        var job = await lifecycle.BeginAttemptAsync(entry.JobId, stopping);
        if (job is null)
        {
            logger.LogInformation("Job {JobId} is terminal or unknown; dropping its queue entry", entry.JobId);
            await queue.CompleteAsync(entry.EntryId);
            return;
        }

        activity?.SetTag("aiprogress.job.attempt", job.Attempt);
        var settings = options.Value;
        if (job.Attempt - job.OutageHandbacks > settings.MaxAttempts)
        {
            await endings.GiveUpAsync(job, entry, $"Gave up after {settings.MaxAttempts} attempts: the workers running it stopped.");
            return;
        }

        if (time.GetUtcNow() - new DateTimeOffset(job.CreatedAt.Ticks, TimeSpan.Zero) > settings.JobDeadline)
        {
            await endings.GiveUpAsync(job, entry, DeadlineMessage(settings.JobDeadline));
            return;
        }

        await RecordRunAsync(job);

        if (job.Attempt == 1)
        {
            WorkerTelemetry.QueueWait.Record((time.GetUtcNow() - entry.EnqueuedAt).TotalSeconds);
        }

        var (textSoFar, tokensSoFar, published) = job.Attempt > 1 ? await RecoverWhatWatchersSawAsync(job) : ("", 0, 0);
        // Rows hold UTC instants; saying so here keeps a Kind mix-up from ever reading them as local time.
        var startedAt = job.StartedAt is { } started ? new DateTimeOffset(started.Ticks, TimeSpan.Zero) : time.GetUtcNow();
        var tracker = new ProgressTracker(time, job.MaxTokens, startedAt, tokensSoFar, textSoFar,
            forecast: tokens => lengths.Forecast(job.Model, job.MaxTokens, tokens));
        using var run = new ActiveJob(job, entry, tracker, published, stopping) { TextPace = liveEvents.NewTextPace() };
        logger.LogInformation("Generating job {JobId} with {Model}, attempt {Attempt}, continuing after {Tokens} tokens",
            job.JobId, job.Model, job.Attempt, tokensSoFar);

        active.Add(run);
        WorkerTelemetry.JobsInFlight.Add(1);
        try
        {
            await liveEvents.PublishAsync(run, force: true);
            var counts = await GenerateWithRetriesAsync(run);
            await endings.CompleteAsync(run, counts);
            lengths.Record(job.Model, counts.CompletionTokens, job.MaxTokens);
            activity?.SetTag("gen_ai.usage.output_tokens", counts.CompletionTokens);
        }
        catch (OperationCanceledException) when (run.Token.IsCancellationRequested)
        {
            await endings.StoppedAsync(run, run.StopReason ?? StopReason.Shutdown);
        }
        catch (LlmUnavailableException ex)
        {
            activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
            await endings.HandBackForOutageAsync(run, ex.Message);
        }
        catch (Exception ex) when (ex is OllamaTimeoutException or OllamaRejectedException || OllamaGenerationClient.IsTransient(ex))
        {
            activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
            await endings.FailAsync(run, ex is OllamaTimeoutException or OllamaRejectedException ? ex.Message : $"Ollama error: {ex.Message}");
        }
        catch (Exception ex)
        {
            // Unknown trouble (say MySQL down at the final write): leave the entry unacknowledged and stop the
            // heartbeat; another worker claims it after the stall time and finishes it from the text so far.
            activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
            logger.LogError(ex, "Job {JobId} hit an unexpected error; it will be taken up again", job.JobId);
        }
        finally
        {
            activity?.SetTag("aiprogress.db.progress_writes", run.Written.Writes);
            active.Remove(run);
            WorkerTelemetry.JobsInFlight.Add(-1);
        }
    }

    public static string DeadlineMessage(TimeSpan deadline) =>
        $"The job could not be finished within its deadline of {deadline.TotalMinutes:0.#} minutes (the model server was unavailable or overloaded).";
}
