using AiProgress.Benchmarks;
using AiProgress.Benchmarks.LocalOllama;

// One subcommand per benchmark; each lives in its own folder and prints its own figures.
return args.FirstOrDefault() switch
{
    "local-ollama" => await LocalOllamaBenchmark.RunAsync(BenchmarkArgs.Parse(args[1..])),
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
        """);
    return 2;
}
