namespace AiProgress.Jobs.Events;

/// <summary>Redis stream ids ("ms-seq"): parsing and ordering, for Last-Event-ID and fallback ids.</summary>
public static class StreamIds
{
    public static bool TryParse(string? value, out (long Ms, long Seq) id)
    {
        id = default;
        if (string.IsNullOrEmpty(value) || value.Length > 41)
        {
            return false;
        }

        var dash = value.IndexOf('-');
        return dash > 0
            && long.TryParse(value.AsSpan(0, dash), System.Globalization.NumberStyles.None, null, out id.Ms)
            && long.TryParse(value.AsSpan(dash + 1), System.Globalization.NumberStyles.None, null, out id.Seq);
    }

    public static int Compare((long Ms, long Seq) a, (long Ms, long Seq) b) =>
        a.Ms != b.Ms ? a.Ms.CompareTo(b.Ms) : a.Seq.CompareTo(b.Seq);

    public static string Format((long Ms, long Seq) id) => $"{id.Ms}-{id.Seq}";

    /// <summary>
    /// The id for an event made outside the stream (from the row, a notice): it follows <paramref name="last"/> by
    /// sequence, so ids keep growing; before any stream event that is "0-n".
    /// </summary>
    public static (long Ms, long Seq) Next((long Ms, long Seq) last) => (last.Ms, last.Seq + 1);
}
