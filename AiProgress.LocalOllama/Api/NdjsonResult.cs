using System.Buffers;
using System.Text.Json;
using AiProgress.LocalOllama.Api.Contracts;
using Microsoft.AspNetCore.Http.Features;

namespace AiProgress.LocalOllama.Api;

/// <summary>Writes one JSON object per line and flushes each, so every token reaches the client at once.</summary>
internal sealed class NdjsonResult(IAsyncEnumerable<CompletionLine> lines, ILogger logger) : IResult
{
    public const string ContentType = "application/x-ndjson";

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var cancellationToken = httpContext.RequestAborted;
        httpContext.Response.ContentType = ContentType;
        httpContext.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();

        var body = httpContext.Response.BodyWriter;
        await using var json = new Utf8JsonWriter(body);
        try
        {
            await foreach (var line in lines.WithCancellation(cancellationToken))
            {
                JsonSerializer.Serialize(json, line, OllamaJsonContext.Wire.CompletionLine);
                await WriteLineEndAsync(json, body, cancellationToken);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            // The status line is already sent, so the failure goes out as a last line, as Ollama does.
            logger.LogError(ex, "Streaming a completion failed");
            JsonSerializer.Serialize(json, new ErrorResponse(ex.Message), OllamaJsonContext.Wire.ErrorResponse);
            await WriteLineEndAsync(json, body, cancellationToken);
        }
    }

    private static async Task WriteLineEndAsync(Utf8JsonWriter json, System.IO.Pipelines.PipeWriter body, CancellationToken cancellationToken)
    {
        json.Flush();
        json.Reset();
        body.Write("\n"u8);
        await body.FlushAsync(cancellationToken);
    }
}
