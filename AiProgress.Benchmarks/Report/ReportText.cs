using System.Text;
using static AiProgress.Benchmarks.Report.Target;

namespace AiProgress.Benchmarks.Report;

/// <summary>The report's Markdown: how it was measured, the targets, one table per section.</summary>
internal static class ReportText
{
    public static string Header(TimeSpan elapsed, MachineSpeed.Figures speed) => $"""
        ## Scale (issue 15): `{ReportBenchmark.Command}`

        One run of {elapsed.TotalMinutes:F1} minutes on {Environment.ProcessorCount} cores ({System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}),
        everything on this one machine: private redis-server (append-only, fsync always) and MariaDB (durable commits), the
        scripted Ollama (exact token rates; each token is "t&lt;µs&gt; " of the moment it was written, on the system's monotonic
        clock) in the benchmark process, the real API and the real worker each as a process of its own
        (`Worker:MaxConcurrentJobs` {ReportSystem.WorkerSlots}, `Api` limits out of the way, a Bearer key), and the SSE watchers
        in a load-generator process (`-- loadgen`: one SocketsHttpHandler, a lean SSE reader; compiled fully optimised from
        the start, and once every watcher is connected it compacts its heap and allocates in a no-GC region, so the measuring
        instrument adds no JIT and no GC pause of its own to a lag; its collection count in the window is in its output). In
        every case the jobs are created and started first, each held at the scripted server's gate; once every watcher has
        its first event the gate opens and all jobs write their tokens at once. Figures run from the gate to the last
        watcher's end. Each shape is run short once before it is measured, and each case waits until the API and the worker
        are idle (so the runtime's JIT tier-up of the last case does not land in the next); just before the gate the API and
        the worker each collect fully, asked over the runtime's diagnostics port, so the window's collections do not copy
        what the case had just set up, and their pauses in the window are counted ("collections paused" below), as are
        those of the benchmark's own process, which runs the scripted server (it stamps each token as it writes it, so a
        pause of it before the token is sent counts on the worker's side).

        The machine's speed, measured idle before the run (best of five; compare these before comparing two runs' figures,
        as the same code has needed twice the CPU on one day's virtual machine as on another's): {speed.Summary}.

        - **newest-token lag**: per `text` event, the age of its newest token when the watcher reads it;
          **token lag**: the age of every token when the watcher reads the event holding it (includes the wait for the
          job's next text turn: one per 50 ms on average).
        - CPU from /proc (utime + stime) of each process over the window, % of one core (the machine has 200 %); steal
          time from /proc/stat over the same window: CPU the hypervisor gave to other guests while ours had work ready
          (on a shared virtual machine the largest difference between two runs of the same code);
          API memory: VmRSS at its peak minus before the watchers connected, per watcher (with a few hundred watchers this
          is within the GC's own swings, so the target is read at 5,000).
        - worker side: from the token's stamp to the stream id Redis gave its event (Redis's clock, ms), for up to 2,500 jobs a
          case (the load generator's output also has it by token: which of a job's tokens wait longest).
        - DB rows: MariaDB's `Handler_update` (rows updated); API reads: `SELECT_COMMANDS` of the API's own database user
          (`information_schema.USER_STATISTICS`); Redis: `total_commands_processed` of `INFO stats`.

        """;

    public static string Targets(IReadOnlyList<Target> targets)
    {
        var text = new StringBuilder();
        text.AppendLine("### Targets");
        text.AppendLine();
        text.AppendLine("| target | rule | measured | verdict | what limits it (measured) |");
        text.AppendLine("|---|---|---:|---|---|");
        foreach (var t in targets)
        {
            text.AppendLine($"| {t.Name} | {t.Rule} | {F(t.Measured)}{t.Unit} | {t.Verdict} | {(t.Met ? "" : t.Limits)} |");
        }

        return text.AppendLine().ToString();
    }

    public static string Overhead(double raw, double pipeline, double pacedRaw, double pacedPipeline, (double OllamaSharp, double Worker) allocations) => $"""
        ### overhead

        One job of {OverheadMeasure.Tokens:N0} tokens (the contract's largest max_tokens). Raw: OllamaSharp reads the
        scripted stream in the benchmark process. Pipeline: the job through API, queue, worker, Redis and API out to one
        SSE watcher. Both: (tokens − 1) / (time from the server writing the first token, its stamp, to the reader holding
        the last one). The JSON holds the unpaced figures (the scripted server writes as fast as it is read), median of {OverheadMeasure.UnpacedRuns};
        the second row paces the server at {OverheadMeasure.PacedRate:N0} tokens/s, far above any model here, so the stream
        lasts seconds instead of tens of milliseconds (median of 2).

        | scripted server | raw tokens/s | pipeline tokens/s | ratio |
        |---|---:|---:|---:|
        | unpaced | {F(raw)} | {F(pipeline)} | {pipeline / raw:F3} |
        | {OverheadMeasure.PacedRate:N0} tok/s | {F(pacedRaw)} | {F(pacedPipeline)} | {pacedPipeline / pacedRaw:F3} |

        Allocated per token in the benchmark process while one unpaced stream is read (`GC.GetTotalAllocatedBytes`; the
        scripted server's share is the same in both): OllamaSharp's reader {allocations.OllamaSharp:F0} bytes, the worker's
        `ChatStreamReader` {allocations.Worker:F0} bytes (its only per-token object is the token's string). OllamaSharp also
        checks `EndOfStream` before every line, a blocking read whenever its buffer is empty, which is after every token:
        one pool thread held per stream, which is what kept a worker from holding thousands. That reader is why the
        pipeline can beat the raw read (a ratio above 1): the worker takes the stream faster than OllamaSharp does, and its
        last text leaves the moment it comes (a token on its turn wakes the pump), so delivery through Redis, the API and
        SSE costs less than the difference.

        """;

    public static string ConcurrentJobs(IReadOnlyList<LoadCaseResult> results)
    {
        var text = new StringBuilder();
        text.AppendLine("### concurrent_jobs");
        text.AppendLine();
        text.AppendLine("Jobs at once through one worker, 20 tokens/s each (100 tokens), one SSE watcher per job. Lost: text events " +
                        "that did not join (a gap) or watchers that never got `complete`; tokens the server wrote that no watcher got.");
        text.AppendLine();
        text.AppendLine("| jobs | tok/s each | newest-token lag p99 ms | of it worker side p50 / p99 ms | worker CPU ms / 1000 tokens | worker CPU % | DB rows/s | Redis cmds/s | events lost | tokens lost | intact | CPU by process |");
        text.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (var r in results)
        {
            text.AppendLine($"| {r.Jobs:N0} | {F(r.TokensPerSecond)} | {F(r.Number("newest_lag_p99"))} | {F(r.WorkerSideLagP50)} / {F(r.WorkerSideLagP99)} | {F(r.WorkerCpuMsPer1000Tokens)} | {F(r.CpuPercent["worker"])} " +
                            $"| {F(r.RowsUpdatedPerSecond)} | {F(r.RedisCommandsPerSecond)} | {r.EventsLost} | {r.TokensLost} | {r.Number("intact")}/{r.WatcherCount} | {r.CpuSummary} |");
        }

        return text.AppendLine().ToString();
    }

    public static string FanOut(IReadOnlyList<LoadCaseResult> results)
    {
        var text = new StringBuilder();
        text.AppendLine("### fanout");
        text.AppendLine();
        text.AppendLine("SSE watchers of jobs in one API process. The big cases run fewer tokens a second per job so that two cores " +
                        "(API, worker, Redis, MariaDB, the scripted server and the load generator together) can carry them: the rate is in the table. " +
                        "Every job writes token i at the same instant and all have the same length, as one batching server's step does " +
                        "(the hardest case); the last row runs 2,500 × 2 again with the jobs out of step, as independent users' jobs are: " +
                        "each starts a random part of one token's interval late and has a length of its own (half to one and a half times " +
                        "the mean, so they do not all end in the same interval either). Tokens per job: " +
                        string.Join(", ", results.Select(r => $"{r.Jobs:N0} × {r.WatchersPerJob:N0}{(r.OutOfStep ? " out of step" : "")} {r.Tokens}{(r.OutOfStep ? " on average" : "")}")) + ".");
        text.AppendLine();
        text.AppendLine("| jobs × watchers | watchers | tok/s each | newest-token lag p50 / p99 ms | of it worker side p50 / p99 ms | token lag p50 / p99 ms | API CPU % | API KB / watcher | completed intact | CPU by process |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (var r in results)
        {
            text.AppendLine($"| {r.Jobs:N0} × {r.WatchersPerJob:N0}{(r.OutOfStep ? ", out of step" : "")} | {r.WatcherCount:N0} | {F(r.TokensPerSecond)} | {F(r.Number("newest_lag_p50"))} / {F(r.Number("newest_lag_p99"))} | {F(r.WorkerSideLagP50)} / {F(r.WorkerSideLagP99)} " +
                            $"| {F(r.Number("token_lag_p50"))} / {F(r.Number("token_lag_p99"))} | {F(r.CpuPercent["api"])} | {F(r.ApiRssKbPerWatcher)} | {r.Number("intact")}/{r.WatcherCount} | {r.CpuSummary} |");
        }

        return text.AppendLine().ToString();
    }

    public static string PushVsPoll(IReadOnlyList<LoadCaseResult> push, IReadOnlyList<LoadCaseResult> poll)
    {
        var text = new StringBuilder();
        text.AppendLine("### push_vs_poll");
        text.AppendLine();
        text.AppendLine("Ten watchers per job, 20 tokens/s each. Push: the API as it runs. Poll: the same API started with " +
                        "`Api:ForcePolling=true`, the seed's design (every stream reads the row every `Api:FallbackPollInterval`, 200 ms; " +
                        "the worker writes the row every 0.5 s). Lag: every token's. DB reads: the API user's SELECTs per watcher-second.");
        text.AppendLine();
        text.AppendLine("| watchers | push lag p50 / p99 ms | push DB reads / watcher-s | poll lag p50 / p99 ms | poll DB reads / watcher-s | poll p50 / push p50 |");
        text.AppendLine("|---:|---:|---:|---:|---:|---:|");
        foreach (var (p, q) in push.Zip(poll))
        {
            text.AppendLine($"| {p.WatcherCount:N0} | {F(p.Number("token_lag_p50"))} / {F(p.Number("token_lag_p99"))} | {p.ApiSelectsPerSecond / p.WatcherCount:F3} " +
                            $"| {F(q.Number("token_lag_p50"))} / {F(q.Number("token_lag_p99"))} | {q.ApiSelectsPerSecond / q.WatcherCount:F3} | {q.Number("token_lag_p50") / p.Number("token_lag_p50"):F1}× |");
        }

        return text.AppendLine().ToString();
    }
}
