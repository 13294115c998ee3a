using System.Text.Json;
using AiProgress.LocalOllama.Api.Contracts;
using AiProgress.LocalOllama.Models;

namespace AiProgress.LocalOllama.Api;

internal static class CompletionEndpoints
{
    public static async Task<IResult> GenerateAsync(HttpRequest http, ModelCatalog catalog, CompletionRunner runner, CancellationToken cancellationToken)
    {
        var (request, error) = await RequestBody.ReadAsync(http, OllamaJsonContext.Wire.GenerateRequest, cancellationToken);
        if (request is null)
        {
            return OllamaResults.InvalidBody(error!);
        }
        if (string.IsNullOrWhiteSpace(request.Model))
        {
            return OllamaResults.ModelRequired();
        }
        var model = catalog.Find(request.Model);
        if (model is null)
        {
            return OllamaResults.ModelNotFound(request.Model);
        }
        var vocabularySize = model.Weights.Vocab.Count;
        if (request.Context?.Where(id => id < 0 || id >= vocabularySize).Select(id => (int?)id).FirstOrDefault() is { } badToken)
        {
            // Caught here, since llama.cpp rejects the batch only mid-request (a 500 with no body, or an error line after a 200).
            return OllamaResults.InvalidBody($"context holds the token id {badToken}, which model \"{request.Model}\" does not have");
        }
        if (string.IsNullOrEmpty(request.Prompt) && request.Context is not { Length: > 0 })
        {
            return TypedResults.Json(CompletionLines.Loaded(request.Model, IsZero(request.KeepAlive)) with { Response = "" },
                OllamaJsonContext.Wire.CompletionLine);
        }

        var raw = request.Raw ?? false;
        var prompt = raw ? request.Prompt ?? "" : ChatPrompt.WithSystem(request.System, request.Prompt ?? "");
        var generation = runner.CreateRequest(model, prompt, request.Options, "generate", request.Context);
        // Raw mode returns no context, as in Ollama.
        return await runner.RunAsync(generation, request.Stream ?? true, new GenerateShape(request.Model, includeContext: !raw), cancellationToken);
    }

    public static async Task<IResult> ChatAsync(HttpRequest http, ModelCatalog catalog, CompletionRunner runner, CancellationToken cancellationToken)
    {
        var (request, error) = await RequestBody.ReadAsync(http, OllamaJsonContext.Wire.ChatRequest, cancellationToken);
        if (request is null)
        {
            return OllamaResults.InvalidBody(error!);
        }
        if (string.IsNullOrWhiteSpace(request.Model))
        {
            return OllamaResults.ModelRequired();
        }
        var model = catalog.Find(request.Model);
        if (model is null)
        {
            return OllamaResults.ModelNotFound(request.Model);
        }
        // "messages": [null] parses, but has no role to read.
        if (request.Messages?.Any(m => m is null) == true)
        {
            return OllamaResults.InvalidBody("messages must be objects, not null");
        }
        if (request.Messages is not { Count: > 0 } messages)
        {
            return TypedResults.Json(CompletionLines.Loaded(request.Model, IsZero(request.KeepAlive)) with
            {
                Message = new ChatMessage { Role = "assistant", Content = "" },
            }, OllamaJsonContext.Wire.CompletionLine);
        }

        var generation = runner.CreateRequest(model, ChatPrompt.Build(messages), request.Options, "chat");
        return await runner.RunAsync(generation, request.Stream ?? true, new ChatShape(request.Model), cancellationToken);
    }

    private static bool IsZero(JsonElement? keepAlive) => keepAlive is { } value && value.ValueKind switch
    {
        JsonValueKind.Number => value.GetDouble() == 0,
        JsonValueKind.String => value.GetString() is "0" or "0s" or "0m",
        _ => false,
    };
}
