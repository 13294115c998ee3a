using AiProgress.LocalOllama.Api;

namespace AiProgress.LocalOllama;

/// <summary>Builds the server; Program.cs runs it, and a benchmark can host it in its own process.</summary>
public static class LocalOllamaApp
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddServiceDefaults();
        builder.AddLocalOllama();
        configure?.Invoke(builder);

        var app = builder.Build();
        app.MapDefaultEndpoints();
        app.MapOllamaApi();
        return app;
    }
}
