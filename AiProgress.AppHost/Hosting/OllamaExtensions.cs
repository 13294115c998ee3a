using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AiProgress.AppHost.Hosting;

public static class OllamaExtensions
{
    public const string Image = "ollama/ollama";
    public const string Tag = "0.12.6";
    public const string ContainerDefaultModel = "qwen2.5:0.5b";
    public const string LocalDefaultModel = "stories260K";

    /// <summary>
    /// The LLM server, Ollama's API either way: the ollama/ollama image that pulls its model on first start
    /// (healthy once the model is present), or the LLamaSharp stand-in serving a GGUF file from disk.
    /// </summary>
    public static (IResourceBuilder<IResourceWithEndpoints> Server, string Model) AddLlmServer(
        this IDistributedApplicationBuilder builder, string name, HostingMode mode)
    {
        var model = builder.Configuration["AppHost:Model"]
            ?? (mode == HostingMode.Containers ? ContainerDefaultModel : LocalDefaultModel);
        if (mode == HostingMode.Containers)
        {
            return (builder.AddOllamaContainer(name, model), model);
        }

        var modelPath = Path.GetFullPath(builder.Configuration["AppHost:ModelPath"]
            ?? Path.Combine(builder.AppHostDirectory, "..", "..", "shared", "models", "stories260K.gguf"));
        var server = builder.AddProject<Projects.AiProgress_LocalOllama>(name, launchProfileName: null)
            .WithHttpEndpoint(port: builder.Configuration.GetValue<int?>("AppHost:OllamaPort"), name: "http")
            .WithEnvironment("LocalOllama__Models__0__Name", model)
            .WithEnvironment("LocalOllama__Models__0__Path", modelPath)
            .WithEnvironment("LocalOllama__MaxTokensPerSecond", builder.Configuration["AppHost:DemoTokensPerSecond"] ?? "0")
            // As many parallel sequences as a worker runs jobs, so none of them waits behind another.
            .WithEnvironment("LocalOllama__NumParallel", "4")
            .WithHttpHealthCheck("/health");
        return (builder.CreateResourceBuilder<IResourceWithEndpoints>(server.Resource), model);
    }

    private static IResourceBuilder<IResourceWithEndpoints> AddOllamaContainer(this IDistributedApplicationBuilder builder, string name, string model)
    {
        var ollama = builder.AddContainer(name, Image, Tag)
            .WithHttpEndpoint(targetPort: 11434, name: "http")
            .WithVolume("aiprogress-ollama-models", "/root/.ollama")
            .WithEnvironment("OLLAMA_NUM_PARALLEL", "4")
            .WithEnvironment("OLLAMA_MODEL", model)
            // Serve, wait until the API answers, pull the model once (the volume keeps it), then stay in the foreground.
            .WithEntrypoint("/bin/sh")
            .WithArgs("-c", "ollama serve & until ollama list >/dev/null 2>&1; do sleep 1; done; ollama pull \"$OLLAMA_MODEL\" && wait");

        var key = $"{name}-model-present";
        var endpoint = ollama.GetEndpoint("http");
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(key,
            sp => new OllamaModelHealthCheck(endpoint, model), failureStatus: null, tags: null));
        ollama.WithHealthCheck(key);
        return builder.CreateResourceBuilder<IResourceWithEndpoints>(ollama.Resource);
    }
}
