using AiProgress.LocalOllama.Api.Contracts;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AiProgress.LocalOllama.Api;

/// <summary>Ollama answers errors as {"error": "..."}, not as problem details; clients parse that shape.</summary>
internal static class OllamaResults
{
    public static JsonHttpResult<ErrorResponse> Error(int statusCode, string message) =>
        TypedResults.Json(new ErrorResponse(message), OllamaJsonContext.Wire.ErrorResponse, statusCode: statusCode);

    public static JsonHttpResult<ErrorResponse> ModelNotFound(string? model) =>
        Error(StatusCodes.Status404NotFound, $"model \"{model}\" not found, try pulling it first");

    public static JsonHttpResult<ErrorResponse> ModelRequired() =>
        Error(StatusCodes.Status400BadRequest, "model is required");

    public static JsonHttpResult<ErrorResponse> Busy() =>
        Error(StatusCodes.Status503ServiceUnavailable, "server busy, please try again.  maximum pending requests exceeded");

    public static JsonHttpResult<ErrorResponse> InvalidBody(string detail) =>
        Error(StatusCodes.Status400BadRequest, detail);
}
