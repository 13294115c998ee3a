using AiProgress.Jobs.Data;
using AiProgress.Jobs.Events;

namespace AiProgress.Worker.Jobs;

/// <summary>What a run records before it starts, and where a taken-over job goes on from.</summary>
public sealed partial class JobRunner
{
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
