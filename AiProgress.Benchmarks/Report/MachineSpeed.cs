using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;

namespace AiProgress.Benchmarks.Report;

/// <summary>
/// How fast this machine is at what the pipeline spends its CPU on, measured idle before a run: a system call, a
/// loopback TCP round trip (the kernel path every token crosses several times) and plain computation. The same code
/// measured twice as slow on one day's virtual machine as on another's; these say which figures can be compared.
/// </summary>
internal static class MachineSpeed
{
    public sealed record Figures(double SyscallNs, double LoopbackRoundTripUs, double ComputeStepNs)
    {
        public string Summary =>
            $"a system call {SyscallNs:F0} ns, a loopback TCP round trip {LoopbackRoundTripUs:F1} µs, a step of a dependent integer loop {ComputeStepNs:F2} ns";

        public JsonObject ToJson() => new()
        {
            ["syscall_ns"] = ReportBenchmark.Round(SyscallNs, 0),
            ["loopback_round_trip_us"] = ReportBenchmark.Round(LoopbackRoundTripUs, 1),
            ["compute_step_ns"] = ReportBenchmark.Round(ComputeStepNs, 2),
        };
    }

    // Each figure is the best of a few rounds: what the machine can do, not what a neighbour left of it.
    private const int Rounds = 5;

    public static Figures Measure() => new(Best(SyscallNs), Best(LoopbackRoundTripUs), Best(ComputeStepNs));

    private static double Best(Func<double> measure) => Enumerable.Range(0, Rounds).Min(_ => measure());

    // DllImport: a blittable call needs no marshalling code, so this project needs no unsafe code for LibraryImport.
    [DllImport("libc", EntryPoint = "getppid")]
    private static extern int GetParentPid();

    /// <summary>getppid: the cheapest real system call (glibc does not cache it), so what is left is the entry and exit.</summary>
    private static double SyscallNs()
    {
        const int calls = 200_000;
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < calls; i++)
        {
            GetParentPid();
        }

        return clock.Elapsed.TotalNanoseconds / calls;
    }

    /// <summary>One byte there and back over 127.0.0.1 with Nagle off, each side blocking on its own thread.</summary>
    private static double LoopbackRoundTripUs()
    {
        const int trips = 5_000;
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        client.Connect(listener.LocalEndPoint!);
        using var server = listener.Accept();
        server.NoDelay = true;
        var echo = new Thread(() =>
        {
            var one = new byte[1];
            for (var i = 0; i < trips; i++)
            {
                server.Receive(one);
                server.Send(one);
            }
        }) { IsBackground = true };
        echo.Start();
        var buffer = new byte[1];
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < trips; i++)
        {
            client.Send(buffer);
            client.Receive(buffer);
        }

        var elapsed = clock.Elapsed;
        echo.Join();
        return elapsed.TotalMicroseconds / trips;
    }

    /// <summary>xorshift steps, each depending on the last: the core's speed without memory or the kernel.</summary>
    private static double ComputeStepNs()
    {
        const int steps = 50_000_000;
        var x = 88172645463325252UL;
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < steps; i++)
        {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
        }

        var elapsed = clock.Elapsed;
        GC.KeepAlive(x);
        return elapsed.TotalNanoseconds / steps;
    }
}
