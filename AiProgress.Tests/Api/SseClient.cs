using System.Net.Http.Headers;
using System.Net.ServerSentEvents;
using System.Text.Json;

namespace AiProgress.Tests.Api;

public sealed record ReceivedEvent(string Type, string? Id, JsonElement Data, string RawData, TimeSpan At, TimeSpan? Retry);

/// <summary>Reads a job's progress stream with the framework's own SSE parser, as any real client would.</summary>
public static class SseClient
{
    public static async Task<HttpResponseMessage> OpenAsync(HttpClient client, string jobId, string? lastEventId = null, CancellationToken cancellationToken = default)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/ai/generation/{jobId}/progress");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }

        return await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
    }

    /// <summary>Every event until the server closes the stream, or <paramref name="stopAfter"/> says enough.</summary>
    public static async Task<List<ReceivedEvent>> ReadAsync(
        HttpClient client, string jobId, string? lastEventId = null, Func<ReceivedEvent, bool>? stopAfter = null, TimeSpan? timeout = null)
    {
        using var cancellation = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        using var response = await OpenAsync(client, jobId, lastEventId, cancellation.Token);
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync(cancellation.Token);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var events = new List<ReceivedEvent>();
        var parser = SseParser.Create(body);
        await foreach (var item in parser.EnumerateAsync(cancellation.Token))
        {
            var received = new ReceivedEvent(item.EventType, item.EventId, JsonDocument.Parse(item.Data).RootElement.Clone(),
                item.Data, clock.Elapsed, parser.ReconnectionInterval == Timeout.InfiniteTimeSpan ? null : parser.ReconnectionInterval);
            events.Add(received);
            if (stopAfter?.Invoke(received) == true)
            {
                break;
            }
        }

        return events;
    }

    /// <summary>Stream ids are "milliseconds-sequence", compared as a pair.</summary>
    public static (long Ms, long Seq) ParseId(string id)
    {
        var parts = id.Split('-');
        return (long.Parse(parts[0]), long.Parse(parts[1]));
    }

    public static bool IsAfter(string later, string earlier) => ParseId(later).CompareTo(ParseId(earlier)) > 0;

    /// <summary>The full text from text events, checking that offsets join up exactly (no gap, no duplicate).</summary>
    public static string JoinText(IEnumerable<ReceivedEvent> events, string start = "")
    {
        var text = start;
        foreach (var e in events.Where(e => e.Type == "text"))
        {
            if (e.Data.TryGetProperty("reset", out var reset) && reset.GetBoolean())
            {
                text = "";
                continue;
            }

            var offset = e.Data.GetProperty("offset").GetInt32();
            Assert.True(offset == text.Length, $"text event at offset {offset}, but {text.Length} characters were received");
            text += e.Data.GetProperty("delta").GetString();
        }

        return text;
    }
}
