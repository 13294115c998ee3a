using System.Globalization;
using AiProgress.LocalOllama.Api.Contracts;
using AiProgress.LocalOllama.Models;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AiProgress.LocalOllama.Api;

internal static class ModelEndpoints
{
    public const string Version = "0.12.0-aiprogress-local";

    public static JsonHttpResult<TagsResponse> Tags(ServedModels catalog) =>
        TypedResults.Json(new TagsResponse(catalog.All.Select(Summary).ToList()), OllamaJsonContext.Wire.TagsResponse);

    public static JsonHttpResult<RunningModelsResponse> Running(ServedModels catalog) =>
        TypedResults.Json(new RunningModelsResponse(catalog.All
            // Models never unload here, so they "expire" far in the future.
            .Select(m => new RunningModel(m.Name, m.Name, m.FileSize, m.Digest, Details(m), m.LoadedAt.AddYears(100), SizeVram: 0))
            .ToList()), OllamaJsonContext.Wire.RunningModelsResponse);

    public static JsonHttpResult<VersionResponse> GetVersion() =>
        TypedResults.Json(new VersionResponse(Version), OllamaJsonContext.Wire.VersionResponse);

    public static async Task<Results<JsonHttpResult<ShowResponse>, JsonHttpResult<ErrorResponse>>> ShowAsync(
        HttpRequest http, ServedModels catalog, CancellationToken cancellationToken)
    {
        var (request, error) = await RequestBody.ReadAsync(http, OllamaJsonContext.Wire.ShowRequest, cancellationToken);
        if (request is null)
        {
            return OllamaResults.InvalidBody(error!);
        }
        var name = request.Model ?? request.Name;
        if (string.IsNullOrWhiteSpace(name))
        {
            return OllamaResults.ModelRequired();
        }
        var model = catalog.Find(name);
        if (model is null)
        {
            return OllamaResults.ModelNotFound(name);
        }

        var show = new ShowResponse(
            Modelfile: $"# Served by AiProgress.LocalOllama\nFROM {model.Path}\n",
            Parameters: "",
            Template: "{{ .Prompt }}",
            Details: Details(model),
            ModelInfo: ModelInfo(model),
            Capabilities: ["completion"],
            ModifiedAt: model.ModifiedAt);
        return TypedResults.Json(show, OllamaJsonContext.Wire.ShowResponse);
    }

    private static ModelSummary Summary(LoadedModel model) =>
        new(model.Name, model.Name, model.ModifiedAt, model.FileSize, model.Digest, Details(model));

    private static ModelDetails Details(LoadedModel model) =>
        new(ParentModel: "", Format: "gguf", model.Family, [model.Family], model.ParameterSize, model.QuantizationLevel);

    private static Dictionary<string, object> ModelInfo(LoadedModel model)
    {
        var architecture = model.Family;
        var info = new Dictionary<string, object>
        {
            ["general.architecture"] = architecture,
            ["general.parameter_count"] = (long)model.Weights.ParameterCount,
            [$"{architecture}.context_length"] = (long)model.Weights.ContextSize,
            [$"{architecture}.embedding_length"] = (long)model.Weights.EmbeddingSize,
            [$"{architecture}.vocab_size"] = (long)model.Weights.Vocab.Count,
        };
        foreach (var key in new[] { "general.name", "general.file_type", $"{architecture}.block_count", $"{architecture}.attention.head_count", "tokenizer.ggml.model" })
        {
            if (model.Metadata(key) is { } value)
            {
                info[key] = long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) ? number : value;
            }
        }
        return info;
    }
}
