using AiProgress.Testing;
using System.Diagnostics;
using AiProgress.LocalOllama;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using OllamaSharp;

namespace AiProgress.Benchmarks.LocalOllama;

/// <summary>
/// Hosts AiProgress.LocalOllama on a loopback Kestrel port in this process and measures it through
/// real HTTP with OllamaSharp, as the worker would use it. Pacing (MaxTokensPerSecond) stays off.
/// </summary>
internal static class LocalOllamaBenchmark
{
    private const string ModelName = "bench";

    public static async Task<int> RunAsync(BenchmarkArgs args)
    {
        var tokens = args.Int("tokens", 256);
        var runs = args.Int("runs", 5);
        var parallel = args.Int("parallel", 4);
        var modelPath = Path.GetFullPath(args.String("model") ?? RepositoryPaths.ModelPath);

        await using var app = LocalOllamaApp.Build(
        [
            "--urls", "http://127.0.0.1:0",
            "--LocalOllama:Models:0:Name", ModelName,
            "--LocalOllama:Models:0:Path", modelPath,
            "--LocalOllama:NumParallel", parallel.ToString(),
            "--LocalOllama:MaxTokensPerSecond", "0",
            "--Logging:LogLevel:Default", "Warning",
        ]);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

        using var http = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromMinutes(5) };
        using var ollama = new OllamaApiClient(http, ModelName);
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMinutes(10));

        Console.WriteLine($"LocalOllama over HTTP at {address}: {Path.GetFileName(modelPath)}, {tokens} tokens a stream, " +
                          $"median of {runs} runs, NumParallel={parallel}, {Environment.ProcessorCount} cores");

        // The first decode in a process pays for native library and weight page-in; keep it out of the figures.
        await StreamMeasurement.TakeAsync(ollama, ModelName, 32, seed: 0, cancellation.Token);

        var rows = new List<ScenarioResult>();
        foreach (var streams in new[] { 1, parallel })
        {
            var samples = new List<RunSample>();
            for (var run = 0; run < runs; run++)
            {
                samples.Add(await RunOnceAsync(ollama, streams, tokens, seedBase: run * 100, cancellation.Token));
            }
            rows.Add(ScenarioResult.MedianOf(streams, samples));
        }

        ScenarioResult.Print(rows);
        await app.StopAsync();
        return 0;
    }

    private static async Task<RunSample> RunOnceAsync(OllamaApiClient ollama, int streams, int tokens, int seedBase, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var measurements = await Task.WhenAll(Enumerable.Range(0, streams)
            .Select(i => StreamMeasurement.TakeAsync(ollama, ModelName, tokens, seedBase + i, cancellationToken)));
        var wall = Stopwatch.GetElapsedTime(started);
        return new RunSample(measurements, wall);
    }
}
