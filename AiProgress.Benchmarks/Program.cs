using AiProgress.Benchmarks;
using AiProgress.Benchmarks.LocalOllama;
using AiProgress.Benchmarks.Pipeline;

// One subcommand per benchmark; each lives in its own folder and prints its own figures.
return args.FirstOrDefault() switch
{
    "local-ollama" => await LocalOllamaBenchmark.RunAsync(BenchmarkArgs.Parse(args[1..])),
    "pipeline" => await PipelineBenchmark.RunAsync(BenchmarkArgs.Parse(args[1..])),
    "report" => await AiProgress.Benchmarks.Report.ReportBenchmark.RunAsync(BenchmarkArgs.Parse(args[1..])),
    // Started by `report` as a process of its own; not meant to be run by hand.
    "loadgen" => await AiProgress.Benchmarks.Report.LoadGenerator.RunAsync(BenchmarkArgs.Parse(args[1..])),
    "progress-accuracy" => await AiProgress.Benchmarks.Accuracy.ProgressAccuracyBenchmark.RunAsync(BenchmarkArgs.Parse(args[1..])),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("""
        usage: dotnet run --project AiProgress.Benchmarks -c Release -- <benchmark> [options]

        benchmarks:
          local-ollama [--tokens 256] [--runs 5] [--parallel 4] [--model path/to/model.gguf]
              Time to first token and tokens per second of AiProgress.LocalOllama over real HTTP,
              for one stream and for several streams at once.
          pipeline [--write-runs 5] [--write-ms 500] [--latency-jobs 20] [--jobs 200] [--throughput-runs 3] [--watchers 50]
              The job pipeline's real parts on this machine (own redis-server and MariaDB on free ports in temp
              folders, the real API and worker in process, a scripted Ollama): batched vs per-job MySQL progress
              writes, time to first events, SSE delivery lag, jobs/s by Worker:MaxConcurrentJobs, SSE fan-out.
          report [--only overhead|concurrent|fanout|push-vs-poll]
              Issue 15's scale figures in one run (under 10 minutes): jobs at once through one worker (10 to 2,000),
              pipeline overhead against raw OllamaSharp, SSE fan-out (100 to 5,000 watchers) and push against the seed's
              polling, with the API and worker as processes of their own and the watchers in a load-generator process;
              each target said met or missed; writes docs/BENCHMARKS.md and docs/benchmarks.json.
          progress-accuracy [--jobs 240] [--max-tokens 512] [--tokens-per-second 100] [--parallel 4]
              Real jobs of the local model that end by themselves: progress and ETA error of the seed's formula and
              of the learnt length model on the same events, and the jump at the end; writes docs/BENCHMARKS.md.
        """);
    return 2;
}
