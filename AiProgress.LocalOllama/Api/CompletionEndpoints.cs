using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using AiProgress.LocalOllama.Api.Contracts;
using AiProgress.LocalOllama.Models;

namespace AiProgress.LocalOllama.Api;

internal static class CompletionEndpoints
{
    public static async Task<IResult> GenerateAsync(HttpRequest http, ServedModels catalog, CompletionRunner runner, CancellationToken cancellationToken)
    {
        var (request, model, problem) = await ReadModelRequestAsync(http, OllamaJsonContext.Wire.GenerateRequest, r => r.Model, catalog, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }
        var vocabularySize = model.Weights.Vocab.Count;
        if (request.Context?.Where(id => id < 0 || id >= vocabularySize).Select(id => (int?)id).FirstOrDefault() is { } badToken)
        {
            // Caught here, since llama.cpp rejects the batch only mid-request (a 500 with no body, or an error line after a 200).
            return OllamaResults.InvalidBody($"context holds the token id {badToken}, which model \"{request.Model}\" does not have");
        }
        if (string.IsNullOrEmpty(request.Prompt) && request.Context is not { Length: > 0 })
        {
            return TypedResults.Json(CompletionLines.Loaded(request.Model!, IsZero(request.KeepAlive)) with { Response = "" },
                OllamaJsonContext.Wire.CompletionLine);
        }

        var raw = request.Raw ?? false;
        var prompt = raw ? request.Prompt ?? "" : ChatPrompt.WithSystem(request.System, request.Prompt ?? "");
        var generation = runner.CreateRequest(model, prompt, request.Options, "generate", request.Context);
        // Raw mode returns no context, as in Ollama.
        return await runner.RunAsync(generation, request.Stream ?? true, new GenerateShape(request.Model!, includeContext: !raw), cancellationToken);
    }

    public static async Task<IResult> ChatAsync(HttpRequest http, ServedModels catalog, CompletionRunner runner, CancellationToken cancellationToken)
    {
        var (request, model, problem) = await ReadModelRequestAsync(http, OllamaJsonContext.Wire.ChatRequest, r => r.Model, catalog, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }
        // "messages": [null] parses, but has no role to read.
        if (request.Messages?.Any(m => m is null) == true)
        {
            return OllamaResults.InvalidBody("messages must be objects, not null");
        }
        if (request.Messages is not { Count: > 0 } messages)
        {
            return TypedResults.Json(CompletionLines.Loaded(request.Model!, IsZero(request.KeepAlive)) with
            {
                Message = new ChatMessage { Role = "assistant", Content = "" },
            }, OllamaJsonContext.Wire.CompletionLine);
        }

        var generation = runner.CreateRequest(model, ChatPrompt.Build(messages), request.Options, "chat");
        return await runner.RunAsync(generation, request.Stream ?? true, new ChatShape(request.Model!), cancellationToken);
    }

    /// <summary>The body, and the model it names; or Ollama's answer to a bad body, a missing or an unknown model.</summary>
    private static async Task<(T Request, LoadedModel Model, IResult? Problem)> ReadModelRequestAsync<T>(
        HttpRequest http, JsonTypeInfo<T> typeInfo, Func<T, string?> modelName, ServedModels catalog, CancellationToken cancellationToken)
        where T : class
    {
        var (request, error) = await RequestBody.ReadAsync(http, typeInfo, cancellationToken);
        if (request is null)
        {
            return (null!, null!, OllamaResults.InvalidBody(error!));
        }

        var name = modelName(request);
        if (string.IsNullOrWhiteSpace(name))
        {
            return (request, null!, OllamaResults.ModelRequired());
        }

        var model = catalog.Find(name);
        return model is null ? (request, null!, OllamaResults.ModelNotFound(name)) : (request, model, null);
    }

    private static bool IsZero(JsonElement? keepAlive) => keepAlive is { } value && value.ValueKind switch
    {
        JsonValueKind.Number => value.GetDouble() == 0,
        JsonValueKind.String => value.GetString() is "0" or "0s" or "0m",
        _ => false,
    };
}
