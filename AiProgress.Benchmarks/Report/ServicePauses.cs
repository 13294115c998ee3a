using System.Diagnostics.Tracing;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Parsers;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;

namespace AiProgress.Benchmarks.Report;

/// <summary>What a service's collections paused it in a window: how many, all of them together, the longest.</summary>
internal readonly record struct PauseSummary(int Collections, double TotalMs, double LongestMs)
{
    public override string ToString() => $"{Collections} collections, {TotalMs:F0} ms in all, the longest {LongestMs:F0} ms";
}

/// <summary>
/// A service's collections, seen from outside over its runtime's diagnostics port (as dotnet-trace and dotnet-gcdump
/// do). Starting it has the runtime collect once, fully, before the window: the state a case's 2,500 jobs and 5,000
/// connections made in the seconds before is moved to gen2 then, not by the window's first collections (measured
/// without this: a gen1 collection in the window that copied 98 MB of it stopped the API for 737 ms, every watcher's
/// lag with it, a one-off of the case's set-up that steady use spreads over the connections' arrivals). The window's
/// own pauses are then counted, so the report says what the runtime took of each lag.
/// </summary>
internal sealed class ServicePauses : IAsyncDisposable
{
    private static readonly TimeSpan SettleTimeout = TimeSpan.FromSeconds(60);

    private readonly EventPipeSession _session;
    private readonly Task _reading;
    private readonly TaskCompletionSource _settled = new(TaskCreationOptions.RunContinuationsAsynchronously);
    // When each began, in µs of the shared monotonic clock (the runtime's event stamps on Linux are that clock's ns).
    private readonly List<(long AtMicros, double Ms)> _pauses = [];
    private double _suspendedAt = -1;
    private long _suspendedAtMicros;
    private bool _fullCollectionStarted;

    private ServicePauses(int pid)
    {
        // GCHeapCollect makes the runtime collect as the session starts; GC reports every collection's suspension.
        var keywords = (long)(ClrTraceEventParser.Keywords.GC | ClrTraceEventParser.Keywords.GCHeapCollect);
        _session = new DiagnosticsClient(pid).StartEventPipeSession(
            new EventPipeProvider("Microsoft-Windows-DotNETRuntime", EventLevel.Informational, keywords), requestRundown: false);
        // A thread of its own: Process() blocks until the session ends. On the pool, a case's readers held the pool's
        // threads (two to start with on two cores), and the scripted server's sends waited until the pool added more.
        _reading = Task.Factory.StartNew(Read, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>Returns once the service's full collection has finished; its pauses are counted from then on.</summary>
    public static async Task<ServicePauses> SettleAsync(int pid)
    {
        var pauses = new ServicePauses(pid);
        await pauses._settled.Task.WaitAsync(SettleTimeout);
        return pauses;
    }

    /// <summary>Forgets the pauses so far: the window starts now.</summary>
    public void StartWindow()
    {
        lock (_pauses) _pauses.Clear();
    }

    /// <summary>The window's pauses: when each began (µs, <c>MicroClock</c>) and how long it took.</summary>
    public List<(long AtMicros, double Ms)> WindowPauses()
    {
        lock (_pauses)
        {
            return [.. _pauses];
        }
    }

    public PauseSummary Window()
    {
        lock (_pauses)
        {
            return new PauseSummary(_pauses.Count, _pauses.Sum(p => p.Ms), _pauses.Select(p => p.Ms).DefaultIfEmpty(0).Max());
        }
    }

    private void Read()
    {
        using var source = new EventPipeEventSource(_session.EventStream);
        source.Clr.GCStart += e => _fullCollectionStarted |= e.Depth == 2 && e.Type == GCType.NonConcurrentGC;
        source.Clr.GCSuspendEEStart += e =>
        {
            _suspendedAt = e.TimeStampRelativeMSec;
            // The raw stamp, not the relative one: it is the service's monotonic clock, which the tokens' stamps share.
#pragma warning disable CS0618
            _suspendedAtMicros = e.TimeStampQPC / 1000;
#pragma warning restore CS0618
        };
        source.Clr.GCRestartEEStop += e =>
        {
            if (_suspendedAt < 0) return;
            var pause = e.TimeStampRelativeMSec - _suspendedAt;
            _suspendedAt = -1;
            if (_settled.Task.IsCompleted)
            {
                lock (_pauses) _pauses.Add((_suspendedAtMicros, pause));
            }
            else if (_fullCollectionStarted)
            {
                _settled.TrySetResult();
            }
        };
        source.Process();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _session.StopAsync(CancellationToken.None);
        }
        catch (ServerNotAvailableException)
        {
            // The service has gone already: nothing left to stop.
        }

        try
        {
            await _reading.WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception)
        {
            // However the trace ended (cut short when the service exits first: TraceEvent's "Read past end of stream",
            // or not within the wait), the window's pauses were read before: nothing here is owed to the case.
        }

        _session.Dispose();
    }
}
