using System.Buffers;
using System.Text;

namespace AiProgress.Api.Live;

/// <summary>
/// Writes Server-Sent Events by hand: TypedResults.ServerSentEvents cannot write comment lines, and the
/// contract's heartbeat is a <c>: ping</c> comment. Frames are written as encoded and flushed together.
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

    /// <summary>Buffers a frame for the next <see cref="FlushAsync"/>.</summary>
    public void Append(SseFrame frame)
    {
        response.BodyWriter.Write(frame.Bytes);
        if (!frame.IsComment)
        {
            ApiTelemetry.EventsSent.Add(1, new KeyValuePair<string, object?>("event", frame.Type));
        }
    }

    public async Task FlushAsync(CancellationToken cancellationToken) => await response.BodyWriter.FlushAsync(cancellationToken);

    private async Task WriteRawAsync(string text, CancellationToken cancellationToken)
    {
        response.BodyWriter.Write(Encoding.UTF8.GetBytes(text));
        await FlushAsync(cancellationToken);
    }
}
