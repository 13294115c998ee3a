using System.Text.Json;
using AiProgress.Api.Clients;
using AiProgress.Api.Limits;
using AiProgress.Api.Live;
using AiProgress.Api.Models;
using AiProgress.Jobs.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace AiProgress.Api.Generation;

public static partial class GenerationApi
{

    public static RouteGroupBuilder MapGenerationApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/ai/generation").WithTags("Generation");

        api.MapPost("/", CreateJob).WithName("CreateJob").WithMetadata(CreateRateLimits.Metadata.Instance)
            .Accepts<JsonElement>("application/json")
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status429TooManyRequests).ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithSummary("Queue a generation job.");
        api.MapGet("/", ListJobs).WithName("ListJobs").WithSummary("The client's recent jobs, newest first.");
        api.MapGet("/{jobId}/status", GetStatus).WithName("GetJobStatus").WithSummary("A snapshot of a job.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        api.MapGet("/{jobId}/progress", StreamProgress).WithName("StreamJobProgress")
            .Produces(StatusCodes.Status200OK, contentType: "text/event-stream")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status429TooManyRequests)
            .WithSummary("Live progress as Server-Sent Events.");
        api.MapPost("/{jobId}/cancel", CancelJob).WithName("CancelJob").WithSummary("Cancel a queued or running job.")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        api.MapDelete("/{jobId}", DeleteJob).WithName("DeleteJob")
            .WithSummary("Delete a job: its prompt, text, row and live events (a running job is cancelled first).")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return api;
    }

    private static async Task<Results<Ok<JobStatusResponse>, ProblemHttpResult>> GetStatus(
        string jobId, HttpContext context, JobService jobs, CancellationToken cancellationToken)
    {
        var (job, problem) = await FindOwnJobAsync(jobId, context, jobs, cancellationToken);
        if (job is null)
        {
            return problem!;
        }

        var (position, estimatedStart) = await jobs.QueuePlaceAsync(job, cancellationToken);
        return TypedResults.Ok(JobStatusResponse.From(job, position, includeText: true, estimatedStart));
    }

    private static async Task<Results<Ok<JobListResponse>, ValidationProblem>> ListJobs(
        HttpContext context, JobService jobs, CancellationToken cancellationToken, string? status = null, string? limit = null)
    {
        var errors = new Dictionary<string, string[]>();
        if (status is not null && !JobStatus.All.Contains(status))
        {
            errors["status"] = [$"status must be one of {string.Join(", ", JobStatus.All)}."];
        }

        var take = 20;
        if (limit is not null && (!int.TryParse(limit, out take) || take is < 1 or > 100))
        {
            errors["limit"] = ["limit must be a whole number from 1 to 100."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var list = await jobs.ListAsync(context.GetClientId(), status, take, cancellationToken);
        var items = new List<JobStatusResponse>(list.Count);
        foreach (var job in list)
        {
            items.Add(JobStatusResponse.From(job, await jobs.QueuePositionAsync(job, cancellationToken), includeText: false));
        }

        return TypedResults.Ok(new JobListResponse(items));
    }

    private static async Task<Results<EmptyHttpResult, ProblemHttpResult>> StreamProgress(
        string jobId, HttpContext context, JobService jobs, SseProgressHandler sse, StreamLimiter limiter,
        [FromHeader(Name = "Last-Event-ID")] string? lastEventId, CancellationToken cancellationToken)
    {
        var (job, problem) = await FindOwnJobAsync(jobId, context, jobs, cancellationToken);
        if (job is null)
        {
            return problem!;
        }

        await using var lease = await limiter.TryAcquireAsync(context.GetClientId(), ClientAddress.Of(context));
        if (lease is null)
        {
            context.Response.Headers.RetryAfter = "5";
            return Problem(StatusCodes.Status429TooManyRequests, "Too many streams", "Too many progress streams are open for this client or address.");
        }

        await sse.StreamAsync(context.Response, job, lastEventId, cancellationToken);
        return TypedResults.Empty;
    }

    private static async Task<Results<Accepted, ProblemHttpResult>> CancelJob(
        string jobId, HttpContext context, JobService jobs, CancellationToken cancellationToken)
    {
        var (job, problem) = await FindOwnJobAsync(jobId, context, jobs, cancellationToken);
        if (job is null)
        {
            return problem!;
        }

        if (!await jobs.CancelAsync(jobId, cancellationToken))
        {
            return Problem(StatusCodes.Status409Conflict, "Job already ended", "The job is already completed, failed or cancelled.");
        }

        return TypedResults.Accepted($"/api/v1/ai/generation/{jobId}/status");
    }

    /// <summary>The caller's own job; otherwise 400 for a malformed id, and 404 alike for unknown and foreign ones.</summary>
    private static async Task<(GenerationJob? Job, ProblemHttpResult? Problem)> FindOwnJobAsync(
        string jobId, HttpContext context, JobService jobs, CancellationToken cancellationToken)
    {
        if (!IsJobId(jobId))
        {
            return (null, MalformedId());
        }

        var job = await jobs.FindAsync(context.GetClientId(), jobId, cancellationToken);
        return job is null ? (null, NotFound(jobId)) : (job, null);
    }

    private static bool IsJobId(string jobId) => jobId.Length == 36 && Guid.TryParseExact(jobId, "D", out _);

    private static ProblemHttpResult MalformedId() =>
        Problem(StatusCodes.Status400BadRequest, "Malformed job id", "A job id is a UUID such as 3f2b8c4e-1d2a-4c6b-9f0e-2a7d5b9c1e34.");

    // A problem result (not NotFound<ProblemDetails>) so the body is served as application/problem+json.
    private static ProblemHttpResult NotFound(string jobId) =>
        Problem(StatusCodes.Status404NotFound, "Job not found", $"There is no job '{jobId}' for this client.");

    private static ProblemHttpResult Problem(int status, string title, string detail) =>
        TypedResults.Problem(detail, title: title, statusCode: status);
}
