using AiProgress.Benchmarks.Pipeline;
using AiProgress.Testing;
using AiProgress.Worker.Generation;
using OllamaSharp;
using OllamaSharp.Models;
using OllamaSharp.Models.Chat;

namespace AiProgress.Benchmarks.Report;

/// <summary>
/// One job's tokens per second through the whole pipeline (scripted server → worker → Redis → API → SSE) against
/// reading the same scripted stream raw with OllamaSharp. Both are (tokens − 1) over the time from the server writing
/// the first token (its stamp) to the reader holding the last one, so start-up (queue, first request) is left out and
/// what the stream's delivery costs is in.
/// </summary>
internal static class OverheadMeasure
{
    public const int Tokens = 8192;
    public const double PacedRate = 2000;

    /// <summary>An unpaced stream lasts 15–30 ms, so one collection or thread hop moves a run by half: a median of 5 ranged 0.68–1.43 over three reports, of 15 1.44–1.73.</summary>
    public const int UnpacedRuns = 15;

    /// <param name="tokensPerSecond">0: as fast as the scripted server writes.</param>
    public static async Task<(double Raw, double Pipeline)> RunAsync(ReportSystem system, int runs, double tokensPerSecond = 0)
    {
        system.Ollama.DefaultScript = OllamaScript.Timestamped(tokensPerSecond);
        var raw = new List<double>();
        var pipeline = new List<double>();
        for (var i = -1; i < runs; i++) // one warm-up each
        {
            var r = await RawAsync(system.Ollama);
            var p = await PipelineAsync(system);
            if (i < 0) continue;
            raw.Add(r);
            pipeline.Add(p);
        }

        Console.WriteLine($"  {(tokensPerSecond > 0 ? $"{tokensPerSecond:F0} tok/s" : "unpaced")}: raw {string.Join(" ", raw.Order().Select(r => r.ToString("F0")))}; " +
                          $"pipeline {string.Join(" ", pipeline.Order().Select(p => p.ToString("F0")))}");
        return (Stats.Median(raw), Stats.Median(pipeline));
    }

    private static async Task<double> RawAsync(ScriptedOllama ollama)
    {
        using var http = new HttpClient { BaseAddress = new Uri(ollama.Url), Timeout = Timeout.InfiniteTimeSpan };
        using var client = new OllamaApiClient(http, ScriptedOllama.ModelName);
        var request = new ChatRequest
        {
            Model = ScriptedOllama.ModelName,
            Stream = true,
            Messages = [new Message(ChatRole.User, "raw overhead probe")],
            Options = new RequestOptions { NumPredict = Tokens },
        };
        long first = 0, last = 0, count = 0;
        await foreach (var chunk in client.ChatAsync(request))
        {
            if (chunk is ChatDoneResponseStream)
            {
                break;
            }

            if (chunk?.Message?.Content is { Length: > 0 } content)
            {
                last = MicroClock.NowMicros;
                if (first == 0) first = MicroClock.StampsIn(content).First();
                count++;
            }
        }

        return (count - 1) / ((last - first) / 1e6);
    }

    /// <summary>
    /// Bytes allocated in this process per token while a reader takes one unpaced stream: the scripted server's share
    /// is the same in both, so the difference is the reader's. OllamaSharp's reader, then the worker's.
    /// </summary>
    public static async Task<(double OllamaSharp, double Worker)> AllocationsPerTokenAsync(ScriptedOllama ollama)
    {
        ollama.DefaultScript = OllamaScript.Timestamped(tokensPerSecond: 0);
        await RawAsync(ollama);
        var before = GC.GetTotalAllocatedBytes(precise: true);
        await RawAsync(ollama);
        var ollamaSharp = (GC.GetTotalAllocatedBytes(precise: true) - before) / (double)Tokens;

        await WorkerReaderAsync(ollama);
        before = GC.GetTotalAllocatedBytes(precise: true);
        await WorkerReaderAsync(ollama);
        return (ollamaSharp, (GC.GetTotalAllocatedBytes(precise: true) - before) / (double)Tokens);
    }

    private static async Task WorkerReaderAsync(ScriptedOllama ollama)
    {
        using var http = new HttpClient { BaseAddress = new Uri(ollama.Url), Timeout = Timeout.InfiniteTimeSpan };
        var job = new AiProgress.Jobs.Data.GenerationJob
        {
            JobId = "allocations", ClientId = "benchmark", Prompt = "allocation probe", Model = ScriptedOllama.ModelName, MaxTokens = Tokens,
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/chat") { Content = ChatRequestBody.For(job, "", Tokens).ToContent() };
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        await using var body = await response.Content.ReadAsStreamAsync();
        var lines = new ChatStreamReader(body);
        var text = new System.Text.StringBuilder();
        while (await lines.ReadAsync(CancellationToken.None) is { } line && !line.Done)
        {
            text.Append(line.Content);
        }
    }

    private static async Task<double> PipelineAsync(ReportSystem system)
    {
        var jobId = (await system.CreateJobsAsync(1, Tokens))[0];
        var events = await SseReader.ReadAsync(system.Client, jobId, stopAfter: e => e.IsTerminal || e.Type == "timeout");
        var texts = events.Where(e => e.Type == "text").ToList();
        var stamps = texts.SelectMany(e => MicroClock.StampsIn(e.Data.GetProperty("delta").GetString()!)).ToList();
        return (stamps.Count - 1) / ((texts[^1].ReceivedMicros - stamps[0]) / 1e6);
    }
}
