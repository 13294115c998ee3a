using AiProgress.Jobs.Data;
using AiProgress.Jobs.Queue;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace AiProgress.Api.Limits;

/// <summary>Whether a valid create may become a job: the client's open jobs and the whole queue are bounded.</summary>
public sealed class JobAdmission(IDbContextFactory<JobsDbContext> contexts, JobQueue queue, IOptions<ApiOptions> options)
{
    public const int QueueFullRetryAfterSeconds = 30;

    /// <summary>Null when the job may be created; otherwise the problem to answer (with Retry-After set).</summary>
    public async Task<ProblemHttpResult?> RefuseAsync(string clientId, HttpResponse response, CancellationToken cancellationToken)
    {
        var limits = options.Value;
        if (await OpenJobsAsync(clientId, cancellationToken) >= limits.MaxOpenJobsPerClient)
        {
            response.Headers.RetryAfter = "10";
            return TypedResults.Problem($"This client already has {limits.MaxOpenJobsPerClient} queued or running jobs; wait for one to end.",
                title: "Too many open jobs", statusCode: StatusCodes.Status429TooManyRequests);
        }

        long length;
        try
        {
            length = await queue.LengthAsync();
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            length = long.MaxValue;
        }

        if (length >= limits.MaxQueueLength)
        {
            response.Headers.RetryAfter = QueueFullRetryAfterSeconds.ToString();
            return TypedResults.Problem("The job queue is full or unavailable; nothing was created. Try again later.",
                title: "Queue full", statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        return null;
    }

    /// <summary>The client's queued and processing jobs (the index on client_id serves it).</summary>
    public async Task<int> OpenJobsAsync(string clientId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Jobs.CountAsync(j => j.ClientId == clientId
            && (j.Status == JobStatus.Queued || j.Status == JobStatus.Processing), cancellationToken);
    }
}
