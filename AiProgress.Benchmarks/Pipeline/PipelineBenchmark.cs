using AiProgress.Testing;
using System.Diagnostics;

namespace AiProgress.Benchmarks.Pipeline;

/// <summary>
/// The job pipeline's real parts on this machine: MariaDB progress writes, then the real API and worker end to end
/// against a private redis-server and a scripted Ollama. Starts and kills its own servers.
/// </summary>
internal static class PipelineBenchmark
{
    public static async Task<int> RunAsync(BenchmarkArgs args)
    {
        var started = Stopwatch.GetTimestamp();
        var writeRuns = args.Int("write-runs", 5);
        var writeMs = args.Int("write-ms", 500);
        var latencyJobs = args.Int("latency-jobs", 20);
        var jobs = args.Int("jobs", 200);
        var throughputRuns = args.Int("throughput-runs", 3);
        var watchers = args.Int("watchers", 50);

        await using var redis = await RedisServer.StartNewAsync();
        await using var mariaDb = await MariaDbServer.StartPrivateAsync(durable: true);
        await using var ollama = await ScriptedOllama.StartAsync();
        Console.WriteLine($"Job pipeline on this machine ({Environment.ProcessorCount} cores): redis-server --appendonly yes and MariaDB " +
                          "(--no-defaults, default durability) in temporary folders, the real API and worker in this process, a scripted Ollama.");

        Console.WriteLine();
        Console.WriteLine("### 1. MySQL progress writes: JobLifecycle.WriteProgressAsync (one transaction for all jobs) vs one autocommit UPDATE per job");
        await ProgressWriteBenchmark.RunAsync(await mariaDb.CreateDatabaseAsync("bench_writes"), writeRuns, TimeSpan.FromMilliseconds(writeMs));

        Console.WriteLine();
        Console.WriteLine("### 2. Live event delivery through the real API and worker (Worker:MaxConcurrentJobs 4 unless said)");
        var live = await mariaDb.CreateDatabaseAsync("bench_live");
        await using (var system = await LiveSystem.StartAsync(redis.ConnectionString, live, ollama.Url, 4))
        {
            await LatencyBenchmark.RunAsync(system, ollama, latencyJobs, tokens: 40, tokensPerSecond: 100);
            var afterLatency = system.WorkerLog.StoppedAsLost;
            await ThroughputBenchmark.RunAsync(system, ollama, live, jobs, throughputRuns);
            var afterThroughput = system.WorkerLog.StoppedAsLost;
            await FanOutBenchmark.RunAsync(system, ollama, watchers, tokens: 150, tokensPerSecond: 100);
            var states = await system.RowStatesAsync(system.WorkerLog.LostJobIds.ToArray());
            var rows = states.Count == 0 ? "none" : string.Join(", ", states.CountBy(state => state).Select(g => $"{g.Value}× {g.Key}"));
            Console.WriteLine();
            Console.WriteLine($"Worker log over section 2 (no job was cancelled or taken over): {system.WorkerLog.StoppedAsLost} jobs stopped as " +
                              $"'cancelled or taken over' (2a/2b: {afterLatency}, 2c: {afterThroughput - afterLatency}, 2d: {system.WorkerLog.StoppedAsLost - afterThroughput}; their rows now, status/attempt: {rows}); " +
                              $"{system.WorkerLog.WriteWarnings} 'Could not write progress' warnings.");
        }

        Console.WriteLine();
        Console.WriteLine($"Whole run: {Stopwatch.GetElapsedTime(started).TotalSeconds:F0} s.");
        return 0;
    }
}
