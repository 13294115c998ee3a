using AiProgress.Testing;
namespace AiProgress.Benchmarks.Pipeline;

/// <summary>
/// Figures 2a and 2b: one job at a time through API, queue, worker, Redis and back out as SSE; how soon a
/// watcher sees the job start and its first text, and how old each token is when the watcher reads it.
/// </summary>
internal static class LatencyBenchmark
{
    public static async Task RunAsync(LiveSystem system, ScriptedOllama ollama, int jobs, int tokens, double tokensPerSecond)
    {
        ollama.DefaultScript = OllamaScript.Timestamped(tokensPerSecond);
        var post = new List<double>();
        var processing = new List<double>();
        var firstText = new List<double>();
        var lags = new List<double>();
        var newest = new List<double>();
        var completed = 0;
        var intact = 0;
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        for (var i = -2; i < jobs; i++) // two warm-up jobs, left out
        {
            var sent = MicroClock.NowMicros;
            var jobId = await system.CreateJobAsync("latency probe", tokens);
            var accepted = MicroClock.NowMicros;
            var events = await SseWatcher.ReadAsync(system.Client, jobId, null, cancellation.Token);
            if (i < 0)
            {
                continue;
            }

            post.Add((accepted - sent) / 1000.0);
            processing.Add((events.First(e => e.Type == "progress" && e.Status == "processing").ReceivedMicros - sent) / 1000.0);
            firstText.Add((events.First(e => e.Type == "text").ReceivedMicros - sent) / 1000.0);
            lags.AddRange(SseWatcher.TokenLagsMs(events));
            newest.AddRange(SseWatcher.NewestTokenLagsMs(events));
            completed += events[^1].Type == "complete" ? 1 : 0;
            intact += SseWatcher.TextIntact(events, tokens) ? 1 : 0;
        }

        Console.WriteLine();
        Console.WriteLine($"### 2a. From POST create to the watcher's first events ({jobs} jobs one after another, {tokens} tokens at {tokensPerSecond:0} tok/s)");
        Console.WriteLine();
        Console.WriteLine("| what | median ms | p95 ms |");
        Console.WriteLine("|------|----------:|-------:|");
        Row("POST answered (202)", post);
        Row("first `progress` with status processing", processing);
        Row("first `text` event", firstText);
        Console.WriteLine();
        Console.WriteLine($"Completed: {completed}/{jobs}; text intact (offsets join, every token once, in order): {intact}/{jobs}. Times from sending the POST; the SSE stream is opened as soon as the POST answers.");

        Console.WriteLine();
        Console.WriteLine("### 2b. SSE delivery lag of text (scripted server writes a token → watcher reads the text event holding it)");
        Console.WriteLine();
        Console.WriteLine("| samples | median ms | p95 ms | max ms |");
        Console.WriteLine("|--------:|----------:|-------:|-------:|");
        Console.WriteLine($"| {lags.Count,4} tokens | {Stats.F(Stats.Median(lags))} | {Stats.F(Stats.Percentile(lags, 95))} | {Stats.F(lags.DefaultIfEmpty(double.NaN).Max())} |");
        Console.WriteLine($"| {newest.Count,4} events, newest token only | {Stats.F(Stats.Median(newest))} | {Stats.F(Stats.Percentile(newest, 95))} | {Stats.F(newest.DefaultIfEmpty(double.NaN).Max())} |");
        Console.WriteLine();
        Console.WriteLine("The worker publishes new text every Worker:TextInterval (50 ms), so a token waits up to one tick for it;");
        Console.WriteLine("the newest token of each event shows what the rest of the path (Redis stream, Pub/Sub note, API, SSE) adds.");
        LastSingleWatcherLagP95 = Stats.Percentile(lags, 95);
    }

    /// <summary>The p95 of 2b, for comparison with many watchers in 2d.</summary>
    public static double LastSingleWatcherLagP95 { get; private set; }

    private static void Row(string what, List<double> values) =>
        Console.WriteLine($"| {what} | {Stats.F(Stats.Median(values))} | {Stats.F(Stats.Percentile(values, 95))} |");
}
