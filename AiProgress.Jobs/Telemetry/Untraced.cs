using System.Diagnostics;

namespace AiProgress.Jobs.Telemetry;

/// <summary>
/// Background polling (queue reads every second, event ticks every 250 ms) would fill the dashboard with
/// thousands of one-command root traces. Work inside this scope runs under a parent that is not recorded,
/// so the Redis and MySQL instrumentation (sampled parent-based) drop those spans; job work keeps its trace.
/// </summary>
public static class Untraced
{
    public static IDisposable Begin()
    {
        var previous = Activity.Current;
        var quiet = new Activity("untraced background work");
        quiet.SetParentId(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.None);
        quiet.Start();
        return new Scope(quiet, previous);
    }

    private sealed class Scope(Activity quiet, Activity? previous) : IDisposable
    {
        public void Dispose()
        {
            quiet.Stop();
            Activity.Current = previous;
        }
    }
}
