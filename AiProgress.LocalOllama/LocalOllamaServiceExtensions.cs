using AiProgress.LocalOllama.Api;
using AiProgress.LocalOllama.Generation;
using AiProgress.LocalOllama.Models;
using AiProgress.LocalOllama.Settings;
using AiProgress.LocalOllama.Telemetry;
using Microsoft.Extensions.Options;

namespace AiProgress.LocalOllama;

public static class LocalOllamaServiceExtensions
{
    /// <summary>Adds the models, the sequence queue, the generation engine and the "model loaded" readiness check.</summary>
    public static TBuilder AddLocalOllama<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddOptions<LocalOllamaOptions>()
            .BindConfiguration(LocalOllamaOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<LocalOllamaOptions>, LocalOllamaOptionsValidator>();

        builder.Services.AddSingleton<ServedModels>();
        builder.Services.AddHostedService<ModelLoader>();
        builder.Services.AddSingleton<GenerationStats>();
        builder.Services.AddSingleton<SequenceSlots>();
        builder.Services.AddSingleton<GenerationEngine>();
        builder.Services.AddSingleton<CompletionRunner>();

        builder.Services.AddHealthChecks().AddCheck<ModelsLoadedHealthCheck>("model loaded", tags: ["ready"]);

        // llama.cpp reports every tensor at Info; only its warnings are worth a log line.
        builder.Logging.AddFilter("LLama", LogLevel.Warning);
        return builder;
    }
}
