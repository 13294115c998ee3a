using System.Text;

namespace AiProgress.Api.Live;

/// <summary>
/// Writes Server-Sent Events by hand: TypedResults.ServerSentEvents cannot write comment lines, and the
/// contract's heartbeat is a <c>: ping</c> comment. Every write is flushed at once.
/// </summary>
public sealed class SseWriter(HttpResponse response)
{
    public static void PrepareResponse(HttpResponse response)
    {
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache,no-store";
        response.Headers["X-Accel-Buffering"] = "no";
        response.Headers.ContentEncoding = "identity";
        response.HttpContext.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpResponseBodyFeature>()?.DisableBuffering();
    }

    public Task WriteRetryAsync(TimeSpan retry, CancellationToken cancellationToken) =>
        WriteRawAsync($"retry: {(long)retry.TotalMilliseconds}\n\n", cancellationToken);

    public Task WriteCommentAsync(string comment, CancellationToken cancellationToken) =>
        WriteRawAsync($": {comment}\n\n", cancellationToken);

    public Task WriteEventAsync(string? id, string type, string data, CancellationToken cancellationToken)
    {
        var builder = new StringBuilder(data.Length + 64);
        if (id is not null)
        {
            builder.Append("id: ").Append(id).Append('\n');
        }

        builder.Append("event: ").Append(type).Append('\n');
        foreach (var line in data.Split('\n'))
        {
            builder.Append("data: ").Append(line).Append('\n');
        }

        builder.Append('\n');
        ApiTelemetry.EventsSent.Add(1, new KeyValuePair<string, object?>("event", type));
        return WriteRawAsync(builder.ToString(), cancellationToken);
    }

    private async Task WriteRawAsync(string text, CancellationToken cancellationToken)
    {
        await response.WriteAsync(text, cancellationToken);
        await response.Body.FlushAsync(cancellationToken);
    }
}
