using AiProgress.Api.Clients;
using AiProgress.Api.Http;
using AiProgress.Api.Limits;
using AiProgress.Api.Models;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AiProgress.Api.Generation;

/// <summary>Create: a strict JSON body, every field checked, the model offered, the client and queue within bounds; then insert and enqueue.</summary>
public static partial class GenerationApi
{
    private static async Task<Results<Accepted<CreatedJobResponse>, ValidationProblem, ProblemHttpResult>> CreateJob(
        HttpRequest request, JobService jobs, LlmServerModels catalog, JobAdmission admission, CancellationToken cancellationToken)
    {
        var body = await StrictJsonBody.ReadAsync(request, cancellationToken);
        if (body.Problem is not null)
        {
            return body.Problem;
        }

        if (body.Invalid is not null)
        {
            return body.Invalid;
        }

        var (parsed, errors) = CreateJobRequestParser.Parse(body.Root);
        if (parsed is null)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var model = parsed.Model ?? catalog.DefaultModel;
        try
        {
            if (!LlmServerModels.Offers(await catalog.GetAsync(cancellationToken), model))
            {
                return TypedResults.ValidationProblem(new Dictionary<string, string[]>
                {
                    ["model"] = [$"The LLM server has no model '{model}'. See /api/v1/ai/models."],
                });
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or Polly.Timeout.TimeoutRejectedException)
        {
            request.HttpContext.Response.Headers.RetryAfter = "5";
            return Problem(StatusCodes.Status503ServiceUnavailable, "LLM server unavailable", "The model list could not be read; try again shortly.");
        }

        var clientId = request.HttpContext.GetClientId();
        if (await admission.RefuseAsync(clientId, request.HttpContext.Response, cancellationToken) is { } refusal)
        {
            return refusal;
        }

        var job = await jobs.CreateAsync(clientId, parsed, model, cancellationToken);
        if (job is null)
        {
            request.HttpContext.Response.Headers.RetryAfter = JobAdmission.QueueFullRetryAfterSeconds.ToString();
            return Problem(StatusCodes.Status503ServiceUnavailable, "Queue unavailable", "The job queue cannot take jobs right now; nothing was created.");
        }

        var statusUrl = $"/api/v1/ai/generation/{job.JobId}/status";
        var position = await jobs.QueuePositionAsync(job, cancellationToken) ?? 1;
        return TypedResults.Accepted(statusUrl, new CreatedJobResponse(
            job.JobId, job.Status, position, statusUrl, $"/api/v1/ai/generation/{job.JobId}/progress",
            System.Diagnostics.Activity.Current?.Id ?? job.TraceParent));
    }
}
