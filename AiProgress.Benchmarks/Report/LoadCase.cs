using System.Diagnostics;
using System.Text.Json.Nodes;
using AiProgress.Testing;

namespace AiProgress.Benchmarks.Report;

/// <summary>
/// What one load case measured, from the gate opening (every job's first token) until every watcher had its end.
/// <paramref name="TokensWritten"/>: what the scripted server wrote for all jobs (out of step each job has its own
/// length, and <paramref name="Tokens"/> is their mean).
/// </summary>
internal sealed record LoadCaseResult(
    int Jobs, int WatchersPerJob, double TokensPerSecond, int Tokens, JsonObject Watchers, double Seconds,
    IReadOnlyDictionary<string, double> CpuPercent, long ApiRssBeforeKb, long ApiRssPeakKb,
    double RedisCommandsPerSecond, double RowsUpdatedPerSecond, double ApiSelectsPerSecond, double WorkerCpuMs,
    double WorkerSideLagP50, double WorkerSideLagP99, double RedisMicrosPerAppend, bool OutOfStep, long TokensWritten, double StealPercent,
    PauseSummary ApiPauses, PauseSummary WorkerPauses, PauseSummary ScriptedPauses, string SecondBySecond)
{
    public int WatcherCount => Jobs * WatchersPerJob;
    public double Number(string key) => Watchers[key]!.GetValue<double>();
    public long TokensLost => Math.Max(0, TokensWritten * WatchersPerJob - (long)Number("tokens_received"));
    public long EventsLost => (long)Number("text_gaps") + (WatcherCount - (long)Number("completed"));
    public double ApiRssKbPerWatcher => (ApiRssPeakKb - ApiRssBeforeKb) / (double)WatcherCount;
    public double WorkerCpuMsPer1000Tokens => WorkerCpuMs / (TokensWritten / 1000.0);
    public StepCost Step => StepCost.Of(CpuPercent, Seconds, TokensWritten, Jobs, Environment.ProcessorCount);
    public string CpuSummary => $"CPU {CpuPercent.Values.Sum():F0} % of the machine's {Environment.ProcessorCount * 100} %: " +
        string.Join(", ", CpuPercent.OrderByDescending(p => p.Value).Select(p => $"{p.Key} {p.Value:F0} %")) +
        $"; the hypervisor kept {StealPercent:F0} % from this machine (steal time)";

    /// <summary>What the runtime's collections stopped each service for in the window.</summary>
    public string PausesSummary => $"collections paused the API {ApiPauses}, the worker {WorkerPauses} and the scripted server {ScriptedPauses}";

    /// <summary>Where a lag comes from: the worker's share, then the CPU of every process.</summary>
    public string LagLimits => $"the worker's side (token written → event in Redis) is {WorkerSideLagP50:F0} / {WorkerSideLagP99:F0} ms of it (p50 / p99), " +
        $"the rest Redis → API → SSE → load generator; {CpuSummary}; {PausesSummary}; second by second, {SecondBySecond}" + (Jobs < 100 ? "" :
        (OutOfStep ? "; the jobs write their tokens out of step" : "; every job writes its tokens at the same instant (as a batching server's step does)") +
        $", and Redis, one thread, spends " +
        $"{RedisMicrosPerAppend:F0} µs in each append script (INFO commandstats): {Jobs:N0} jobs' tokens at once are " +
        $"{Jobs * RedisMicrosPerAppend / 1000:F0} ms of Redis alone before the last of them is out");
}

/// <summary>
/// One case: jobs created and started (each stream held at the scripted server's gate), the load generator's
/// watchers connected, then the gate opens and every job writes its tokens at the exact rate.
/// </summary>
internal static class LoadCase
{
    /// <summary>
    /// The load generator is the measuring instrument, so its own pauses must not land in a measured lag: it is a fresh
    /// process each case, compiled fully optimised from the start (no tier-up mid-case), with a large gen0 budget while
    /// it connects and no collection at all in the window (<see cref="InstrumentPauses"/>; its count is in its output).
    /// </summary>
    private static readonly Dictionary<string, string> LoadGeneratorEnvironment = new() { ["DOTNET_TieredCompilation"] = "0", ["DOTNET_GCgen0size"] = "0x20000000" };

    public static async Task<LoadCaseResult> RunAsync(
        ReportSystem system, int jobs, int watchersPerJob, double tokensPerSecond, int tokens, bool outOfStep = false)
    {
        Console.WriteLine($"  case: {jobs} jobs × {watchersPerJob} watchers, {tokens} tokens at {tokensPerSecond} tok/s" +
                          $"{(outOfStep ? ", out of step" : "")}{(system.ForcePolling ? ", API polling" : "")}");
        await system.WaitUntilQuietAsync();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        system.Ollama.DefaultScript = OllamaScript.Timestamped(tokensPerSecond, startGate: gate.Task, outOfStep: outOfStep);
        int LengthOf(int i) => outOfStep ? OwnLength(tokens, i) : tokens;
        var ids = await system.CreateJobsAsync(jobs, LengthOf);
        await WaitUntilAsync(() => system.Ollama.ActiveStreams >= jobs, TimeSpan.FromSeconds(120), () => $"{system.Ollama.ActiveStreams}/{jobs} streams started");

        var folder = OwnedTempFolder.Create("aiprogress-loadgen-");
        var jobsFile = Path.Combine(folder, "jobs.txt");
        var outFile = Path.Combine(folder, "result.json");
        await File.WriteAllLinesAsync(jobsFile, ids);
        var rssBefore = ProcStat.RssKb(system.ApiPid);
        await using var loadGenerator = ServerProcess.Start("dotnet",
        [
            typeof(LoadCase).Assembly.Location, "loadgen", "--api", system.ApiUrl.ToString(), "--key", ReportSystem.ApiKey,
            "--jobs", jobsFile, "--watchers-per-job", watchersPerJob.ToString(System.Globalization.CultureInfo.InvariantCulture), "--out", outFile,
        ], LoadGeneratorEnvironment);
        await WaitUntilAsync(() => loadGenerator.Output.Contains(LoadGenerator.AllConnected) || loadGenerator.HasExited,
            TimeSpan.FromSeconds(180), () => "watchers not connected:\n" + loadGenerator.Output);
        await Task.Delay(300);
        // This process too: the scripted server's token lines wait in its output until they are sent, so its own
        // collections delay tokens already stamped (they count on the worker's side).
        var settling = new[] { ServicePauses.SettleAsync(system.ApiPid), ServicePauses.SettleAsync(system.WorkerPid), ServicePauses.SettleAsync(Environment.ProcessId) };
        await using var apiPauses = await settling[0];
        await using var workerPauses = await settling[1];
        await using var scriptedPauses = await settling[2];

        var cpuBefore = system.CpuTimes(loadGenerator);
        var stealBefore = ProcStat.MachineStealTime();
        var redisBefore = await system.RedisCommandsAsync();
        var scriptsBefore = await system.RedisScriptTimeAsync();
        var rewritesBefore = await system.RedisLogRewritesAsync();
        var rowsBefore = await system.RowsUpdatedAsync();
        var selectsBefore = await system.ApiSelectsAsync();
        apiPauses.StartWindow();
        workerPauses.StartWindow();
        scriptedPauses.StartWindow();
        var clock = Stopwatch.StartNew();
        gate.SetResult();
        // For a profiler to start at the gate: GATE_MARKER names a file that gets the case's job count as it opens.
        if (Environment.GetEnvironmentVariable("GATE_MARKER") is { } marker) File.WriteAllText(marker, jobs.ToString(System.Globalization.CultureInfo.InvariantCulture));

        var rssPeak = rssBefore;
        var workerThreads = 0;
        var logsBefore = system.ServiceLogs.Length;
        Dictionary<string, TimeSpan>? cpuAfter = null;
        while (!loadGenerator.HasExited && clock.Elapsed < TimeSpan.FromMinutes(4))
        {
            rssPeak = Math.Max(rssPeak, ProcStat.RssKb(system.ApiPid));
            workerThreads = Math.Max(workerThreads, ProcStat.Threads(system.WorkerPid));
            // The last look before it exits: /proc forgets a process once it is gone.
            try { cpuAfter = system.CpuTimes(loadGenerator); } catch (InvalidOperationException) { }
            await Task.Delay(100);
        }

        var seconds = clock.Elapsed.TotalSeconds;
        var (apiWindow, workerWindow, scriptedWindow) = (apiPauses.Window(), workerPauses.Window(), scriptedPauses.Window());
        ProcessPauses[] pauseTimes = [new("a", apiPauses.WindowPauses()), new("w", workerPauses.WindowPauses()), new("s", scriptedPauses.WindowPauses())];
        var stealPercent = (ProcStat.MachineStealTime() - stealBefore).TotalSeconds / seconds * 100;
        var redisAfter = await system.RedisCommandsAsync();
        var scriptsAfter = await system.RedisScriptTimeAsync();
        var rewritesInWindow = await system.RedisLogRewritesAsync() - rewritesBefore;
        var rowsAfter = await system.RowsUpdatedAsync();
        var selectsAfter = await system.ApiSelectsAsync();
        await loadGenerator.WaitForExitAsync(TimeSpan.FromSeconds(30));
        var watchers = JsonNode.Parse(await File.ReadAllTextAsync(outFile))!.AsObject();
        cpuAfter ??= cpuBefore;
        var final = system.CpuTimes(null);
        foreach (var name in final.Keys.Where(k => k != "loadgen")) cpuAfter[name] = final[name];
        cpuAfter["loadgen"] = TimeSpan.FromMilliseconds(watchers["cpu_ms"]!.GetValue<long>());
        var cpuPercent = cpuAfter.ToDictionary(p => p.Key, p => (p.Value - cpuBefore[p.Key]).TotalSeconds / seconds * 100);

        var redisLag = await RedisSideLag.MeasureAsync(system.Admin.GetDatabase(), ids);
        var (redisLagP50, redisLagP99) = (redisLag.P50, redisLag.P99);
        // The next case starts from a quiet system.
        await WaitUntilAsync(() => system.Ollama.ActiveStreams == 0, TimeSpan.FromSeconds(60), () => $"{system.Ollama.ActiveStreams} streams still open");
        Directory.Delete(folder, recursive: true);
        var bySecond = watchers["newest_lag_by_second"]!.AsArray();
        watchers.Remove("newest_lag_by_second");
        var caseP99 = watchers["newest_lag_p99"]!.GetValue<double>();
        var result = new LoadCaseResult(jobs, watchersPerJob, tokensPerSecond, tokens, watchers, seconds, cpuPercent, rssBefore, rssPeak,
            (redisAfter - redisBefore) / seconds, (rowsAfter - rowsBefore) / seconds, (selectsAfter - selectsBefore) / seconds,
            (cpuAfter["worker"] - cpuBefore["worker"]).TotalMilliseconds, redisLagP50, redisLagP99,
            (scriptsAfter.Micros - scriptsBefore.Micros) / (double)Math.Max(1, scriptsAfter.Calls - scriptsBefore.Calls), outOfStep,
            Enumerable.Range(0, jobs).Sum(i => (long)LengthOf(i)), stealPercent, apiWindow, workerWindow, scriptedWindow,
            LagTimeline.Summarize(bySecond, caseP99, pauseTimes));
        Console.WriteLine($"    {watchers.ToJsonString()}");
        Console.WriteLine($"    {LagTimeline.Describe(bySecond, caseP99, pauseTimes)}");
        Console.WriteLine($"    worker side (token written → in Redis) p50/p99 {redisLagP50:F0}/{redisLagP99:F0} ms; worker threads at most {workerThreads}; " +
                          $"Redis {result.RedisMicrosPerAppend:F1} µs per append script; log rewrites in the window {rewritesInWindow}");
        Console.WriteLine($"    {result.PausesSummary}");
        // Out of step the tokens come apart, so there is no step to spread over the cores: only what a token cost.
        Console.WriteLine($"    CPU per token: {(outOfStep ? result.Step.PerToken : result.Step.Describe(100))}");
        Console.WriteLine($"    worker side by token (p50/p99 ms): {redisLag.ByTokenText}");
        var logs = system.ServiceLogs;
        var warnings = logs.Split('\n').Count(l => l.StartsWith("warn:") || l.StartsWith("fail:"));
        if (warnings > 0) Console.WriteLine($"    service warnings so far: {warnings}; the last:\n{logs[Math.Max(0, logs.Length - 1500)..]}");
        Console.WriteLine($"    {seconds:F1} s; intact {watchers["intact"]}/{result.WatcherCount}; newest lag p50/p99 {watchers["newest_lag_p50"]}/{watchers["newest_lag_p99"]} ms; " +
                          $"token lag p50/p99 {watchers["token_lag_p50"]}/{watchers["token_lag_p99"]} ms; {result.CpuSummary}");
        return result;
    }

    /// <summary>
    /// Out of step, job i has a length of its own, spread evenly over half to one and a half times the case's mean:
    /// independent users' jobs neither start nor end together (with equal lengths every job of the case would end
    /// within the same interval, a burst of 2,500 completions no real crowd of users makes).
    /// </summary>
    private static int OwnLength(int mean, int i) => mean / 2 + (int)((long)i * 7919 % (mean + 1));

    private static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, Func<string> failure)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (!condition())
        {
            if (Stopwatch.GetTimestamp() > deadline) throw new TimeoutException(failure());
            await Task.Delay(20);
        }
    }
}
