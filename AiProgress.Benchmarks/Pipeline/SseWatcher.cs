using System.Net.Http.Headers;
using System.Net.ServerSentEvents;
using System.Text;
using System.Text.Json;

namespace AiProgress.Benchmarks.Pipeline;

internal sealed record SseEvent(string Type, JsonElement Data, long ReceivedMicros)
{
    public string? Status => Data.ValueKind == JsonValueKind.Object && Data.TryGetProperty("status", out var s) ? s.GetString() : null;
}

/// <summary>Reads a job's progress stream with the framework's SSE parser, stamping each event as it arrives.</summary>
internal static class SseWatcher
{
    public static async Task<List<SseEvent>> ReadAsync(HttpClient client, string jobId, TaskCompletionSource? firstEvent, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/ai/generation/{jobId}/progress");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        var events = new List<SseEvent>();
        await foreach (var item in SseParser.Create(body).EnumerateAsync(cancellationToken))
        {
            var received = BenchClock.NowMicros;
            events.Add(new SseEvent(item.EventType, JsonDocument.Parse(item.Data).RootElement.Clone(), received));
            firstEvent?.TrySetResult();
            if (item.EventType is "complete" or "error" or "timeout")
            {
                break;
            }
        }

        return events;
    }

    /// <summary>For every token in the text events: milliseconds from the scripted server writing it to this client reading it.</summary>
    public static IEnumerable<double> TokenLagsMs(IEnumerable<SseEvent> events) =>
        from e in events
        where e.Type == "text"
        from stamp in BenchClock.StampsIn(Delta(e))
        select (e.ReceivedMicros - stamp) / 1000.0;

    /// <summary>Per text event, the lag of its newest token: the pipeline's own delay without the wait for the next tick.</summary>
    public static IEnumerable<double> NewestTokenLagsMs(IEnumerable<SseEvent> events) =>
        from e in events
        where e.Type == "text"
        let stamps = BenchClock.StampsIn(Delta(e)).ToArray()
        where stamps.Length > 0
        select (e.ReceivedMicros - stamps.Max()) / 1000.0;

    /// <summary>
    /// Whether the text events join up exactly (each at the offset where the text so far ends) into the
    /// <paramref name="tokens"/> tokens the server wrote, in order, and the job completed with that count.
    /// </summary>
    public static bool TextIntact(IReadOnlyList<SseEvent> events, int tokens)
    {
        var text = new StringBuilder();
        foreach (var e in events.Where(e => e.Type == "text"))
        {
            if (e.Data.TryGetProperty("reset", out var reset) && reset.GetBoolean())
            {
                text.Clear();
            }

            if (e.Data.GetProperty("offset").GetInt32() != text.Length)
            {
                return false;
            }

            text.Append(Delta(e));
        }

        var stamps = BenchClock.StampsIn(text.ToString()).ToArray();
        return stamps.Length == tokens
            && string.Concat(stamps.Select(BenchClock.Token)) == text.ToString()
            && stamps.SequenceEqual(stamps.Order())
            && events[^1].Type == "complete"
            && events[^1].Data.GetProperty("completion_tokens").GetInt32() == tokens;
    }

    private static string Delta(SseEvent e) => e.Data.GetProperty("delta").GetString()!;
}
