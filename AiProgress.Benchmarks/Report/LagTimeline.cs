using System.Text;
using System.Text.Json.Nodes;

namespace AiProgress.Benchmarks.Report;

/// <summary>
/// The newest-token lag second by second, with the services' collections in the seconds they began: whether a
/// case's p99 comes from a few bad seconds, and whether those are the seconds a service was collecting.
/// </summary>
internal static class LagTimeline
{
    public static string Describe(JsonArray bySecond, double caseP99, List<(long AtMicros, double Ms)> api, List<(long AtMicros, double Ms)> worker)
    {
        var seconds = bySecond.Select(s => s!.AsObject()).ToList();
        if (seconds.Count == 0) return "newest lag by second: no samples";

        var line = new StringBuilder("newest lag by second (p99 ms; a/w: a collection of the API/worker began then, its ms): ");
        int above = 0, aboveWithCollection = 0, withCollection = 0;
        foreach (var second in seconds)
        {
            var start = second["start_us"]!.GetValue<long>();
            var p99 = second["p99"]!.GetValue<double>();
            var marks = Marks("a", api, start) + Marks("w", worker, start);
            line.Append($"{p99:F0}{marks} ");
            withCollection += marks.Length > 0 ? 1 : 0;
            if (p99 > caseP99)
            {
                above++;
                aboveWithCollection += marks.Length > 0 ? 1 : 0;
            }
        }

        line.Append($"| seconds with a p99 above the case's {caseP99:F0} ms: {above} of {seconds.Count}, {aboveWithCollection} of them with a collection " +
                    $"(seconds with one: {withCollection})");
        return line.ToString();
    }

    /// <summary>
    /// The same in a phrase for the report's "what limits it": how the seconds' p99s spread, and how many seconds are
    /// above the case's p99 (a few: bad moments set it; none or most: the whole window does).
    /// </summary>
    public static string Summarize(JsonArray bySecond, double caseP99, List<(long AtMicros, double Ms)> api, List<(long AtMicros, double Ms)> worker)
    {
        var seconds = bySecond.Select(s => s!.AsObject()).ToList();
        if (seconds.Count == 0) return "no samples";

        var p99s = seconds.Select(s => s["p99"]!.GetValue<double>()).Order().ToList();
        var above = seconds.Where(s => s["p99"]!.GetValue<double>() > caseP99).ToList();
        var aboveWithCollection = above.Count(s => HasCollection(s["start_us"]!.GetValue<long>(), api, worker));
        return $"the p99 of each second ranged {p99s[0]:F0}–{p99s[^1]:F0} ms (median {p99s[p99s.Count / 2]:F0}), and {above.Count} of " +
               $"{seconds.Count} seconds were above the case's p99, {aboveWithCollection} of them with a collection of the API or the worker";
    }

    private static bool HasCollection(long start, List<(long AtMicros, double Ms)> api, List<(long AtMicros, double Ms)> worker) =>
        api.Concat(worker).Any(p => p.AtMicros >= start && p.AtMicros < start + 1_000_000);

    private static string Marks(string who, List<(long AtMicros, double Ms)> pauses, long start) =>
        string.Concat(pauses.Where(p => p.AtMicros >= start && p.AtMicros < start + 1_000_000).Select(p => $"{who}{p.Ms:F0}"));
}
