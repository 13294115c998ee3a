using System.Diagnostics;
using System.Text.RegularExpressions;

namespace AiProgress.Testing;

/// <summary>
/// One monotonic clock for the scripted server and the SSE clients (all in this process): tokens carry the
/// microsecond they were written ("t123456 "), so a client can tell how old the text it receives is.
/// </summary>
public static partial class MicroClock
{
    private static readonly long Origin = Stopwatch.GetTimestamp();

    public static long NowMicros => (long)Stopwatch.GetElapsedTime(Origin).TotalMicroseconds;

    public static string Token(long micros) => $"t{micros} ";

    public static IEnumerable<long> StampsIn(string text) =>
        TokenPattern().Matches(text).Select(m => long.Parse(m.Groups[1].ValueSpan));

    [GeneratedRegex(@"t(\d+) ")]
    private static partial Regex TokenPattern();
}
