using System.Text.Json;
using AiProgress.Api.Clients;
using AiProgress.Api.Models;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AiProgress.Api.Generation;

/// <summary>Create: JSON only, at most 64 KiB, every field checked, the model offered; then insert and enqueue.</summary>
public static partial class GenerationApi
{
    private static async Task<Results<Accepted<CreatedJobResponse>, ValidationProblem, ProblemHttpResult>> CreateJob(
        HttpRequest request, JobService jobs, LlmServerModels catalog, CancellationToken cancellationToken)
    {
        if (!request.HasJsonContentType())
        {
            return Problem(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", "The body must be application/json.");
        }

        var (body, bodyProblem) = await ReadBodyAsync(request, cancellationToken);
        if (bodyProblem is not null)
        {
            return bodyProblem;
        }

        var (parsed, errors) = CreateJobRequestParser.Parse(body);
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
            return Problem(StatusCodes.Status503ServiceUnavailable, "LLM server unavailable", "The model list could not be read; try again shortly.");
        }

        var job = await jobs.CreateAsync(request.HttpContext.GetClientId(), parsed, model, cancellationToken);
        if (job is null)
        {
            return Problem(StatusCodes.Status503ServiceUnavailable, "Queue unavailable", "The job queue cannot take jobs right now; nothing was created.");
        }

        var statusUrl = $"/api/v1/ai/generation/{job.JobId}/status";
        var position = await jobs.QueuePositionAsync(job, cancellationToken) ?? 1;
        return TypedResults.Accepted(statusUrl, new CreatedJobResponse(
            job.JobId, job.Status, position, statusUrl, $"/api/v1/ai/generation/{job.JobId}/progress",
            System.Diagnostics.Activity.Current?.Id ?? job.TraceParent));
    }

    private static async Task<(JsonElement Body, ProblemHttpResult? Problem)> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > MaxBodyBytes)
        {
            return (default, TooLarge());
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > MaxBodyBytes)
            {
                return (default, TooLarge());
            }
        }

        try
        {
            using var document = JsonDocument.Parse(buffer.ToArray(), new JsonDocumentOptions { MaxDepth = 16 });
            return (document.RootElement.Clone(), null);
        }
        catch (JsonException)
        {
            return (default, Problem(StatusCodes.Status400BadRequest, "Malformed JSON", "The body is not valid JSON."));
        }
    }

    private static ProblemHttpResult TooLarge() =>
        Problem(StatusCodes.Status413PayloadTooLarge, "Body too large", $"The body must be at most {MaxBodyBytes} bytes.");
}
