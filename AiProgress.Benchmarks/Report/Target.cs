using System.Globalization;
using System.Text.Json.Nodes;

namespace AiProgress.Benchmarks.Report;

/// <summary>One of issue 15's targets: what was measured, the bound, met or missed by how much, and what limits it.</summary>
internal sealed record Target(string Name, double Measured, double Bound, bool AtMostBound, string Unit, string Limits)
{
    public static Target AtMost(string name, double measured, double bound, string unit, string limits) => new(name, measured, bound, true, unit, limits);
    public static Target AtLeast(string name, double measured, double bound, string unit, string limits) => new(name, measured, bound, false, unit, limits);

    public bool Met => double.IsFinite(Measured) && (AtMostBound ? Measured <= Bound : Measured >= Bound);

    public string Verdict => Met
        ? "met"
        : !double.IsFinite(Measured)
            ? "missed: not measured"
            : AtMostBound
                ? $"missed by {F(Measured - Bound)}{Unit}" + (Bound > 0 ? $" ({Measured / Bound:F1}× the bound)" : "")
                : $"missed by {F(Bound - Measured)}{Unit} ({Measured / Bound * 100:F0} % of the bound)";

    public string Rule => $"{(AtMostBound ? "≤" : "≥")} {F(Bound)}{Unit}";

    public JsonObject ToJson() => new()
    {
        ["target"] = Name,
        ["rule"] = Rule,
        ["measured"] = ReportBenchmark.Round(Measured, 3),
        ["met"] = Met,
        ["verdict"] = Verdict,
        ["limited_by"] = Met ? null : Limits,
    };

    public static string F(double value) => value.ToString(Math.Abs(value) >= 100 ? "F0" : "0.###", CultureInfo.InvariantCulture);
}
