using AiProgress.Jobs.Events;
using AiProgress.Jobs.Lifecycle;
using AiProgress.Worker.Generation;

namespace AiProgress.Worker.Jobs;

public sealed partial class JobRunner
{
    /// <summary>Streams the job's tokens, retrying a transient failure with backoff and going on after the tokens already held.</summary>
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
}
