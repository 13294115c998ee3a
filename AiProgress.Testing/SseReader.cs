using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.ServerSentEvents;
using System.Text.Json;

namespace AiProgress.Testing;

/// <summary>One event as a client received it: when (since the stream opened, and on <see cref="MicroClock"/>) and what.</summary>
public sealed record ReceivedEvent(string Type, string? Id, JsonElement Data, string RawData, TimeSpan At, long ReceivedMicros, TimeSpan? Retry)
{
    public string? Status => Data.ValueKind == JsonValueKind.Object && Data.TryGetProperty("status", out var s) ? s.GetString() : null;

    public bool IsTerminal => Type is "complete" or "error";
}

/// <summary>Reads a job's progress stream with the framework's own SSE parser, as any real client would.</summary>
public static class SseReader
{
    public static async Task<HttpResponseMessage> OpenAsync(HttpClient client, string jobId, string? lastEventId = null, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/ai/generation/{jobId}/progress");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }

        return await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
    }

    /// <summary>Every event until the server closes the stream, or <paramref name="stopAfter"/> says enough.</summary>
    public static async Task<List<ReceivedEvent>> ReadAsync(
        HttpClient client, string jobId, string? lastEventId = null, Func<ReceivedEvent, bool>? stopAfter = null,
        TaskCompletionSource? firstEvent = null, CancellationToken cancellationToken = default)
    {
        using var response = await OpenAsync(client, jobId, lastEventId, cancellationToken);
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        var clock = Stopwatch.StartNew();
        var events = new List<ReceivedEvent>();
        var parser = SseParser.Create(body);
        await foreach (var item in parser.EnumerateAsync(cancellationToken))
        {
            var received = new ReceivedEvent(item.EventType, item.EventId, JsonDocument.Parse(item.Data).RootElement.Clone(),
                item.Data, clock.Elapsed, MicroClock.NowMicros,
                parser.ReconnectionInterval == Timeout.InfiniteTimeSpan ? null : parser.ReconnectionInterval);
            events.Add(received);
            firstEvent?.TrySetResult();
            if (stopAfter?.Invoke(received) == true)
            {
                break;
            }
        }

        return events;
    }
}
