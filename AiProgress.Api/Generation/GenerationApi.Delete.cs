using AiProgress.Api.Retention;
using AiProgress.Jobs.Data;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AiProgress.Api.Generation;

/// <summary>Delete: the caller's own job goes entirely; a queued or running one is cancelled first, so its worker stops.</summary>
public static partial class GenerationApi
{
    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteJob(
        string jobId, HttpContext context, JobService jobs, JobRemoval removal, CancellationToken cancellationToken)
    {
        var (job, problem) = await FindOwnJobAsync(jobId, context, jobs, cancellationToken);
        if (job is null)
        {
            return problem!;
        }

        if (!JobStatus.IsTerminal(job.Status))
        {
            await jobs.CancelAsync(jobId, cancellationToken);
        }

        await removal.DeleteAsync(job.ClientId, jobId, cancellationToken);
        return TypedResults.NoContent();
    }
}
