using System.Text;
using System.Text.Json.Nodes;

namespace AiProgress.Benchmarks.Report;

/// <summary>A process's collections in the window, and the letter that marks them in a second.</summary>
internal sealed record ProcessPauses(string Letter, List<(long AtMicros, double Ms)> Pauses);

/// <summary>
/// The newest-token lag second by second, with the services' collections in the seconds they began: whether a
/// case's p99 comes from a few bad seconds, and whether those are the seconds a service was collecting.
/// </summary>
internal static class LagTimeline
{
    /// <summary>One second of the case: its p99, and "a…"/"w…"/"s…" for each collection of the API/worker/scripted server that began in it.</summary>
    private sealed record Second(double P99, string Collections);

    /// <summary>Every second's p99 in a line, then how many were above the case's p99.</summary>
    public static string Describe(JsonArray bySecond, double caseP99, IReadOnlyList<ProcessPauses> pauses)
    {
        var seconds = Seconds(bySecond, pauses);
        if (seconds.Count == 0) return "newest lag by second: no samples";

        var line = new StringBuilder("newest lag by second (p99 ms; a/w/s: a collection of the API/worker/scripted server began then, its ms): ");
        foreach (var second in seconds)
        {
            line.Append($"{second.P99:F0}{second.Collections} ");
        }

        var above = seconds.Where(s => s.P99 > caseP99).ToList();
        line.Append($"| seconds with a p99 above the case's {caseP99:F0} ms: {above.Count} of {seconds.Count}, " +
                    $"{above.Count(HadCollection)} of them with a collection (seconds with one: {seconds.Count(HadCollection)})");
        return line.ToString();
    }

    /// <summary>
    /// The same in a phrase for the report's "what limits it": how the seconds' p99s spread, and how many seconds are
    /// above the case's p99 (a few: bad moments set it; none or most: the whole window does).
    /// </summary>
    public static string Summarize(JsonArray bySecond, double caseP99, IReadOnlyList<ProcessPauses> pauses)
    {
        var seconds = Seconds(bySecond, pauses);
        if (seconds.Count == 0) return "no samples";

        var p99s = seconds.Select(s => s.P99).Order().ToList();
        var above = seconds.Where(s => s.P99 > caseP99).ToList();
        return $"the p99 of each second ranged {p99s[0]:F0}–{p99s[^1]:F0} ms (median {p99s[p99s.Count / 2]:F0}), and {above.Count} of " +
               $"{seconds.Count} seconds were above the case's p99, {above.Count(HadCollection)} of them with a collection of the API, the worker or the scripted server";
    }

    private static bool HadCollection(Second second) => second.Collections.Length > 0;

    private static List<Second> Seconds(JsonArray bySecond, IReadOnlyList<ProcessPauses> pauses) =>
        [.. bySecond.Select(node =>
        {
            var start = node!["start_us"]!.GetValue<long>();
            return new Second(node["p99"]!.GetValue<double>(), string.Concat(pauses.Select(p => Began(p.Letter, p.Pauses, start))));
        })];

    private static string Began(string who, List<(long AtMicros, double Ms)> pauses, long start) =>
        string.Concat(pauses.Where(p => p.AtMicros >= start && p.AtMicros < start + 1_000_000).Select(p => $"{who}{p.Ms:F0}"));
}
