using System.Diagnostics;
using AiProgress.Jobs.Data;
using AiProgress.Jobs.Events;
using AiProgress.Jobs.Lifecycle;
using AiProgress.Jobs.Liveness;
using AiProgress.Jobs.Queue;
using AiProgress.Worker.Generation;
using AiProgress.Worker.Progress;
using Microsoft.Extensions.Options;

namespace AiProgress.Worker.Jobs;

/// <summary>Runs one job taken from the queue to a terminal state, or hands it back when the worker stops.</summary>
public sealed class JobRunner(
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

    private async Task<FinalCounts> GenerateWithRetriesAsync(ActiveJob run)
    {
        var settings = options.Value;
        var retries = 0;
        int? promptTokens = null;
        while (true)
        {
            var tokensBefore = run.Tracker.Tokens;
            var remaining = run.Job.MaxTokens - tokensBefore;
            if (remaining <= 0)
            {
                return new FinalCounts(promptTokens ?? 0, tokensBefore, run.Tracker.Snapshot().TokensPerSecond);
            }

            try
            {
                var started = time.GetTimestamp();
                var outcome = await ollama.StreamAsync(run.Job, run.Tracker.TextFrom(0), remaining,
                    piece => liveEvents.OnToken(run, run.Tracker.OnPiece(piece)), run.Token);
                WorkerTelemetry.RecordGeneration(run.Job.Model, outcome, time.GetElapsedTime(started));
                promptTokens ??= outcome.PromptEvalCount;
                var completionTokens = tokensBefore + outcome.EvalCount;
                var rate = outcome.EvalDuration > TimeSpan.Zero && tokensBefore == 0
                    ? outcome.EvalCount / outcome.EvalDuration.TotalSeconds
                    : run.Tracker.Snapshot().TokensPerSecond;
                return new FinalCounts(promptTokens.Value, completionTokens, Math.Round(rate, 1));
            }
            catch (Exception ex) when (OllamaGenerationClient.IsTransient(ex) && !run.Token.IsCancellationRequested && retries < settings.MaxOllamaRetries)
            {
                retries++;
                var backoff = settings.RetryBaseDelay * Math.Pow(2, retries - 1) * (0.5 + Random.Shared.NextDouble());
                logger.LogWarning(ex, "Ollama call failed for job {JobId}; retry {Retry} of {MaxRetries} in {Delay} ms, continuing after {Tokens} tokens",
                    run.JobId, retries, settings.MaxOllamaRetries, (int)backoff.TotalMilliseconds, run.Tracker.Tokens);
                run.StalledReason = StalledReasons.Retrying;
                await liveEvents.PublishAsync(run, force: true);
                await Task.Delay(backoff, time, run.Token);
                run.StalledReason = null;
            }
        }
    }

    public static string DeadlineMessage(TimeSpan deadline) =>
        $"The job could not be finished within its deadline of {deadline.TotalMinutes:0.#} minutes (the model server was unavailable or overloaded).";

    /// <summary>Fences this attempt's events and names this worker as the job's owner, for takeover and for watchers.</summary>
    private async Task RecordRunAsync(GenerationJob job)
    {
        try
        {
            await runs.RecordAsync(job.JobId, job.Attempt, identity.ConsumerName);
        }
        catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException)
        {
            logger.LogWarning(ex, "Could not record job {JobId}'s attempt in Redis; its events go unfenced", job.JobId);
        }
    }

    /// <summary>
    /// Where a taken-over job goes on: the longest text anyone was shown, from its live events (SSE
    /// watchers) or its row (status readers); both are prefixes of the same attempt's text, and each is
    /// written on its own clock. Published = what the event stream already holds, so SSE watchers get the rest.
    /// </summary>
    private async Task<(string Text, int Tokens, int Published)> RecoverWhatWatchersSawAsync(GenerationJob job)
    {
        try
        {
            var fold = JobEventFold.From(await events.ReadAfterAsync(job.JobId, null, max: int.MaxValue));
            if (fold.TextLength > 0 || fold.LastProgress is not null)
            {
                var rowIsAhead = job.GeneratedText.Length > fold.TextLength && job.GeneratedText.StartsWith(fold.Text, StringComparison.Ordinal);
                return rowIsAhead
                    ? (job.GeneratedText, Math.Max(job.CurrentTokens, fold.LastTokenCount()), fold.TextLength)
                    : (fold.Text, Math.Max(fold.LastTokenCount(), 0), fold.TextLength);
            }
        }
        catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException)
        {
            logger.LogWarning(ex, "Could not read job {JobId}'s events; continuing from the database row", job.JobId);
        }

        return (job.GeneratedText, job.CurrentTokens, job.GeneratedText.Length);
    }
}
