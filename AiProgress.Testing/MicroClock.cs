using System.Diagnostics;
using System.Text.RegularExpressions;

namespace AiProgress.Testing;

/// <summary>
/// One monotonic clock for the scripted server and the SSE clients: tokens carry the microsecond they were written
/// ("t123456 "), so a client can tell how old the text it receives is. It is the system's monotonic clock (Linux
/// CLOCK_MONOTONIC, which Stopwatch reads), so a load generator in another process reads the same one.
/// </summary>
public static partial class MicroClock
{
    public static long NowMicros => Stopwatch.GetTimestamp() / (Stopwatch.Frequency / 1_000_000);

    public static string Token(long micros) => $"t{micros} ";

    public static IEnumerable<long> StampsIn(string text) =>
        TokenPattern().Matches(text).Select(m => long.Parse(m.Groups[1].ValueSpan));

    [GeneratedRegex(@"t(\d+) ")]
    private static partial Regex TokenPattern();
}
