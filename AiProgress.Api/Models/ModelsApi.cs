using Microsoft.AspNetCore.Http.HttpResults;

namespace AiProgress.Api.Models;

public static class ModelsApi
{
    public static RouteGroupBuilder MapModelsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/ai/models").WithTags("Models");
        api.MapGet("/", GetModels).WithName("ListModels").WithSummary("The models the LLM server offers, and the default.");
        return api;
    }

    private static async Task<Results<Ok<ModelsResponse>, ProblemHttpResult>> GetModels(LlmServerModels catalog, CancellationToken cancellationToken)
    {
        try
        {
            return TypedResults.Ok(await catalog.GetAsync(cancellationToken));
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or Polly.Timeout.TimeoutRejectedException)
        {
            return TypedResults.Problem("The LLM server is not reachable.", statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }
}
