using AiProgress.Benchmarks.Pipeline;
using AiProgress.Testing;
using OllamaSharp;
using OllamaSharp.Models;
using OllamaSharp.Models.Chat;

namespace AiProgress.Benchmarks.Report;

/// <summary>
/// One job's tokens per second through the whole pipeline (scripted server → worker → Redis → API → SSE) against
/// reading the same unpaced scripted stream raw with OllamaSharp. Both count the tokens after the first that arrives
/// and divide by the time from it to the end (done line raw, `complete` event through the pipeline), so the start-up
/// of either is left out and the rate is what the reader keeps up with.
/// </summary>
internal static class OverheadMeasure
{
    public const int Tokens = 8192;

    public static async Task<(double Raw, double Pipeline)> RunAsync(ReportSystem system, int runs)
    {
        system.Ollama.DefaultScript = OllamaScript.Timestamped(tokensPerSecond: 0);
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
        long first = 0, end = 0;
        var after = 0;
        await foreach (var chunk in client.ChatAsync(request))
        {
            if (chunk is ChatDoneResponseStream)
            {
                end = MicroClock.NowMicros;
                break;
            }

            if (chunk?.Message?.Content is { Length: > 0 })
            {
                if (first == 0) first = MicroClock.NowMicros;
                else after++;
            }
        }

        return after / ((end - first) / 1e6);
    }

    private static async Task<double> PipelineAsync(ReportSystem system)
    {
        var jobId = (await system.CreateJobsAsync(1, Tokens))[0];
        var events = await SseReader.ReadAsync(system.Client, jobId, stopAfter: e => e.IsTerminal || e.Type == "timeout");
        var texts = events.Where(e => e.Type == "text").ToList();
        var complete = events.Single(e => e.Type == "complete");
        var first = texts[0];
        var after = texts.Skip(1).Sum(e => MicroClock.StampsIn(e.Data.GetProperty("delta").GetString()!).Count());
        var lastText = texts[^1].ReceivedMicros;
        return after / ((Math.Max(lastText, complete.ReceivedMicros) - first.ReceivedMicros) / 1e6);
    }
}
