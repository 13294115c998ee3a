using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using AiProgress.Benchmarks.Pipeline;
using AiProgress.LocalOllama;
using AiProgress.Testing;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace AiProgress.Benchmarks.Accuracy;

/// <summary>
/// How honest the progress bar and the ETA are, on real jobs of the real local model that end by themselves:
/// for every progress event a watcher received, the seed's formula (tokens / max_tokens, remaining tokens to
/// max_tokens over the rate) and ours (against the learnt expected length), side by side, against what really
/// happened (the share of the job's generation time already gone, the time really left).
/// </summary>
internal static class ProgressAccuracyBenchmark
{
    private static readonly string[] Prompts =
    [
        "Once upon a time", "Lily wanted to", "The little dog", "One day, a boy named Tim", "There was a big tree",
        "Sue had a red ball", "The sun was hot", "Ben and Mia went to the park", "A cat sat on", "Mom said",
        "In a small town", "The bird could not fly", "Max found a box", "It was a rainy day", "The princess",
    ];

    public static async Task<int> RunAsync(BenchmarkArgs args)
    {
        var jobs = args.Int("jobs", 240);
        var maxTokens = args.Int("max-tokens", 512);
        var rate = args.Int("tokens-per-second", 100);
        var parallel = args.Int("parallel", 4);
        var started = Stopwatch.GetTimestamp();

        await using var redis = await RedisServer.StartNewAsync();
        await using var mariaDb = await MariaDbServer.StartPrivateAsync();
        await using var llm = LocalOllamaApp.Build(
        [
            "--urls", "http://127.0.0.1:0",
            "--LocalOllama:Models:0:Name", "stories260K",
            "--LocalOllama:Models:0:Path", RepositoryPaths.ModelPath,
            "--LocalOllama:NumParallel", parallel.ToString(),
            // Paced, so that a job lasts long enough for several progress events (the model writes ~1,500 tok/s).
            "--LocalOllama:MaxTokensPerSecond", rate.ToString(),
            "--Logging:LogLevel:Default", "Warning",
        ]);
        await llm.StartAsync();
        var llmUrl = llm.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        await using var system = await LiveSystem.StartAsync(redis.ConnectionString, await mariaDb.CreateDatabaseAsync("accuracy"), llmUrl,
            parallel, defaultModel: "stories260K");

        Console.WriteLine($"Progress accuracy: {jobs} real jobs of stories260K (ending at its own BOS), max_tokens {maxTokens}, " +
                          $"{rate} tok/s each, {parallel} at once, on {Environment.ProcessorCount} cores.");
        var results = new List<JobTrace>();
        var random = new Random(7);
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMinutes(15));
        for (var batch = 0; batch < jobs; batch += parallel)
        {
            var wave = Enumerable.Range(batch, Math.Min(parallel, jobs - batch)).Select(i =>
                RunJobAsync(system.Client, Prompts[random.Next(Prompts.Length)], maxTokens, cancellation.Token)).ToList();
            results.AddRange((await Task.WhenAll(wave)).OfType<JobTrace>());
        }

        if (args.String("traces") is { } tracesPath)
        {
            // For studying other estimators offline on the same events.
            await File.WriteAllTextAsync(tracesPath, JsonSerializer.Serialize(results));
        }

        var report = AccuracyReport.From(results, maxTokens);
        report.Print();
        await report.WriteAsync(Stopwatch.GetElapsedTime(started));
        return 0;
    }

    private static async Task<JobTrace?> RunJobAsync(HttpClient client, string prompt, int maxTokens, CancellationToken cancellationToken)
    {
        var created = await client.PostAsJsonAsync("/api/v1/ai/generation", new { prompt, max_tokens = maxTokens }, cancellationToken);
        created.EnsureSuccessStatusCode();
        var jobId = JsonDocument.Parse(await created.Content.ReadAsStringAsync(cancellationToken)).RootElement.GetProperty("job_id").GetString()!;
        var events = await SseReader.ReadAsync(client, jobId, stopAfter: e => e.IsTerminal, cancellationToken: cancellationToken);
        return JobTrace.From(events);
    }
}
