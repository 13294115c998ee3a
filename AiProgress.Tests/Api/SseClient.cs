namespace AiProgress.Tests.Api;

/// <summary>The tests' checks on top of <see cref="SseReader"/>: bounded reads, ids and exact text joins.</summary>
public static class SseClient
{
    public static Task<HttpResponseMessage> OpenAsync(HttpClient client, string jobId, string? lastEventId = null, CancellationToken cancellationToken = default) =>
        SseReader.OpenAsync(client, jobId, lastEventId, cancellationToken);

    /// <summary>Every event until the server closes the stream, or <paramref name="stopAfter"/> says enough (60 s at most).</summary>
    public static async Task<List<ReceivedEvent>> ReadAsync(
        HttpClient client, string jobId, string? lastEventId = null, Func<ReceivedEvent, bool>? stopAfter = null, TimeSpan? timeout = null)
    {
        using var cancellation = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        return await SseReader.ReadAsync(client, jobId, lastEventId, stopAfter, cancellationToken: cancellation.Token);
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

    /// <summary>
    /// The text as a browser holds it: every text event merged by the contract's rule, as the server's own fold does
    /// (a stream that moved from polling back to the feed starts again with the whole text at offset 0). Fails on a gap.
    /// </summary>
    public static string MergeText(IEnumerable<ReceivedEvent> events)
    {
        var fold = new AiProgress.Jobs.Events.JobEventFold();
        foreach (var e in events.Where(e => e.Type == "text"))
        {
            fold.Apply(new AiProgress.Jobs.Events.JobEvent(e.Id ?? "", e.Type, e.RawData));
            Assert.False(fold.HasGap, $"text event {e.RawData} starts beyond the {fold.TextLength} characters held");
        }

        return fold.Text;
    }
}
