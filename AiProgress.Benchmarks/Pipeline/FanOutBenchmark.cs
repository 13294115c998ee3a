using AiProgress.Testing;
namespace AiProgress.Benchmarks.Pipeline;

/// <summary>
/// Figure 2d: many watchers of one job in one API process. The API should hold one Pub/Sub subscription and fan
/// its notes out in memory: no Redis connection per watcher, and no worse lag.
/// </summary>
internal static class FanOutBenchmark
{
    public static async Task RunAsync(LiveSystem system, ScriptedOllama ollama, int watchers, int tokens, double tokensPerSecond)
    {
        // Every watcher is connected before the first token, so all the text it reads is live.
        ollama.DefaultScript = OllamaScript.Timestamped(tokensPerSecond, firstTokenDelay: TimeSpan.FromSeconds(1.5));
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMinutes(1));

        Console.WriteLine();
        Console.WriteLine($"### 2d. Watchers of one job ({tokens} tokens at {tokensPerSecond:0} tok/s), one API process");
        Console.WriteLine();
        Console.WriteLine("| watchers | Redis clients before | with watchers open | added | subscribers of the job's channel | all connected after ms | lag median ms | lag p95 ms | newest-token lag p95 ms | completed, text intact |");
        Console.WriteLine("|---------:|---------------------:|-------------------:|------:|---------------------------------:|-----------------------:|--------------:|-----------:|------------------------:|----------------------:|");
        foreach (var count in new[] { 1, watchers })
        {
            var before = await system.RedisClientsAsync();
            var created = MicroClock.NowMicros;
            var jobId = await system.CreateJobAsync("fan-out probe", tokens);
            var connected = Enumerable.Range(0, count).Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();
            var reads = connected.Select(first => SseWatcher.ReadAsync(system.Client, jobId, first, cancellation.Token)).ToArray();
            await Task.WhenAll(connected.Select(c => c.Task)).WaitAsync(cancellation.Token);
            var during = await system.RedisClientsAsync();
            var subscribers = await system.EventSubscribersAsync(jobId);
            var results = await Task.WhenAll(reads);

            var lags = results.SelectMany(SseWatcher.TokenLagsMs).ToList();
            var newest = results.SelectMany(SseWatcher.NewestTokenLagsMs).ToList();
            var allConnectedMs = (results.Max(r => r[0].ReceivedMicros) - created) / 1000.0;
            var completed = results.Count(r => r[^1].Type == "complete");
            var intact = results.Count(r => SseWatcher.TextIntact(r, tokens));
            Console.WriteLine($"| {count} | {before} | {during} | {during - before} | {subscribers} | {Stats.F(allConnectedMs, "F0")} " +
                $"| {Stats.F(Stats.Median(lags))} | {Stats.F(Stats.Percentile(lags, 95))} | {Stats.F(Stats.Percentile(newest, 95))} | {completed}/{count}, {intact}/{count} |");
        }

        ollama.DefaultScript = OllamaScript.Timestamped(tokensPerSecond);
        Console.WriteLine();
        Console.WriteLine($"Redis clients: CLIENT LIST on the server (the benchmark's own connection and the worker's included). " +
                          $"Starting the API took it from {system.ApiStartClients.Before} to {system.ApiStartClients.After}.");
        Console.WriteLine($"Lag p95 of one watcher in 2b, for comparison: {Stats.F(LatencyBenchmark.LastSingleWatcherLagP95)} ms.");
    }
}
