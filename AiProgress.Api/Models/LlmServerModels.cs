using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using AiProgress.ServiceDefaults;
using OllamaSharp;

namespace AiProgress.Api.Models;

public sealed record ModelInfo(string Name, long Size, string? Family, string? ParameterSize, string? QuantizationLevel, DateTime ModifiedAt);

public sealed record ModelsResponse(string DefaultModel, IReadOnlyList<ModelInfo> Models);

/// <summary>The models the LLM server offers, cached briefly so that validating a create costs no round trip.</summary>
public sealed class LlmServerModels(IHttpClientFactory httpClients, IMemoryCache cache, IOptions<ApiOptions> options)
{
    public const string HttpClientName = "ollama";
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(30);

    public string DefaultModel => ModelName.Canonical(options.Value.DefaultModel);

    public async Task<ModelsResponse> GetAsync(CancellationToken cancellationToken)
    {
        var models = await cache.GetOrCreateAsync("ollama-models", async entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = CacheFor;
            using var client = new OllamaApiClient(httpClients.CreateClient(HttpClientName));
            var listed = await client.ListLocalModelsAsync(cancellationToken);
            return listed.Select(m => new ModelInfo(m.Name, m.Size, m.Details?.Family, m.Details?.ParameterSize,
                m.Details?.QuantizationLevel, m.ModifiedAt)).ToList();
        });
        return new ModelsResponse(DefaultModel, models!);
    }

    /// <summary>Whether the server offers the model, by Ollama's naming rule.</summary>
    public static bool Offers(ModelsResponse catalog, string model) => catalog.Models.Any(m => ModelName.Same(m.Name, model));
}
