using AiProgress.Testing;
using System.Text;

namespace AiProgress.Benchmarks.Pipeline;

/// <summary>The benchmarks' reading of a progress stream (<see cref="SseReader"/>): until the end, then token lags and intactness.</summary>
internal static class SseWatcher
{
    public static Task<List<ReceivedEvent>> ReadAsync(HttpClient client, string jobId, TaskCompletionSource? firstEvent, CancellationToken cancellationToken) =>
        SseReader.ReadAsync(client, jobId, stopAfter: e => e.IsTerminal || e.Type == "timeout", firstEvent: firstEvent, cancellationToken: cancellationToken);

    /// <summary>For every token in the text events: milliseconds from the scripted server writing it to this client reading it.</summary>
    public static IEnumerable<double> TokenLagsMs(IEnumerable<ReceivedEvent> events) =>
        from e in events
        where e.Type == "text"
        from stamp in MicroClock.StampsIn(Delta(e))
        select (e.ReceivedMicros - stamp) / 1000.0;

    /// <summary>Per text event, the lag of its newest token: the pipeline's own delay without the wait for the next tick.</summary>
    public static IEnumerable<double> NewestTokenLagsMs(IEnumerable<ReceivedEvent> events) =>
        from e in events
        where e.Type == "text"
        let stamps = MicroClock.StampsIn(Delta(e)).ToArray()
        where stamps.Length > 0
        select (e.ReceivedMicros - stamps.Max()) / 1000.0;

    /// <summary>
    /// Whether the text events join up exactly (each at the offset where the text so far ends) into the
    /// <paramref name="tokens"/> tokens the server wrote, in order, and the job completed with that count.
    /// </summary>
    public static bool TextIntact(IReadOnlyList<ReceivedEvent> events, int tokens)
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

        var stamps = MicroClock.StampsIn(text.ToString()).ToArray();
        return stamps.Length == tokens
            && string.Concat(stamps.Select(MicroClock.Token)) == text.ToString()
            && stamps.SequenceEqual(stamps.Order())
            && events[^1].Type == "complete"
            && events[^1].Data.GetProperty("completion_tokens").GetInt32() == tokens;
    }

    private static string Delta(ReceivedEvent e) => e.Data.GetProperty("delta").GetString()!;
}
