using System.Diagnostics;
using AiProgress.LocalOllama.Settings;
using LLama;
using LLama.Common;
using LLama.Exceptions;
using Microsoft.Extensions.Options;

namespace AiProgress.LocalOllama.Models;

/// <summary>Loads every configured model before the server accepts requests, so a bad file stops start-up.</summary>
internal sealed class ModelLoader(
    ServedModels catalog,
    IOptions<LocalOllamaOptions> options,
    ILoggerFactory loggerFactory,
    ILogger<ModelLoader> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        LlamaLogForwarding.ForwardTo(loggerFactory.CreateLogger("LLama.Native"));

        var loaded = new List<LoadedModel>();
        try
        {
            foreach (var entry in options.Value.ResolvedModels())
            {
                cancellationToken.ThrowIfCancellationRequested();
                var started = Stopwatch.GetTimestamp();
                var weights = LoadWeights(entry);
                loaded.Add(new LoadedModel(entry.Name, entry.Path, weights, entry.StopAtBos));
                logger.LogInformation("Loaded model {ModelName} from {ModelPath} ({Parameters} parameters) in {ElapsedMs:F0} ms",
                    entry.Name, entry.Path, weights.ParameterCount, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }
        catch
        {
            loaded.ForEach(m => m.Dispose());
            throw;
        }

        catalog.Publish(loaded);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static LLamaWeights LoadWeights(ModelEntry entry)
    {
        try
        {
            return LLamaWeights.LoadFromFile(new ModelParams(entry.Path) { GpuLayerCount = 0 });
        }
        catch (Exception ex) when (ex is LoadWeightsFailedException or RuntimeError)
        {
            throw new InvalidOperationException($"LocalOllama: llama.cpp could not load model '{entry.Name}' from '{entry.Path}': {ex.Message}", ex);
        }
    }
}
