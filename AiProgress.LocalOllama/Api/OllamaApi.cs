namespace AiProgress.LocalOllama.Api;

public static class OllamaApi
{
    /// <summary>Maps the subset of Ollama's HTTP API (docs/api.md) that OllamaSharp's generate, chat and model calls use.</summary>
    public static IEndpointRouteBuilder MapOllamaApi(this IEndpointRouteBuilder app)
    {
        // OllamaSharp's IsRunningAsync and Ollama's own probes call the root.
        app.MapMethods("/", [HttpMethods.Get, HttpMethods.Head], () => TypedResults.Text("Ollama is running"))
            .ExcludeFromDescription();

        var api = app.MapGroup("/api").WithTags("Ollama");
        api.MapPost("/generate", CompletionEndpoints.GenerateAsync);
        api.MapPost("/chat", CompletionEndpoints.ChatAsync);
        api.MapGet("/tags", ModelEndpoints.Tags);
        api.MapPost("/show", ModelEndpoints.ShowAsync);
        api.MapGet("/ps", ModelEndpoints.Running);
        api.MapGet("/version", ModelEndpoints.GetVersion);
        return app;
    }
}
