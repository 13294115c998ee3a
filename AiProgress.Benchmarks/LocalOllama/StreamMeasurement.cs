using System.Diagnostics;
using OllamaSharp;
using OllamaSharp.Models;

namespace AiProgress.Benchmarks.LocalOllama;

/// <summary>What one streamed /api/generate looked like from the client's side.</summary>
internal sealed record StreamMeasurement(TimeSpan TimeToFirstToken, TimeSpan Wall, int EvalCount, long EvalDurationNs)
{
    /// <summary>The server's own figure: eval_count / eval_duration.</summary>
    public double ServerTokensPerSecond => EvalCount / (EvalDurationNs / 1e9);

    /// <summary>Tokens over the client's wall clock, from sending the request to the last line.</summary>
    public double WallTokensPerSecond => EvalCount / Wall.TotalSeconds;

    public static async Task<StreamMeasurement> TakeAsync(OllamaApiClient ollama, string model, int tokens, int seed, CancellationToken cancellationToken)
    {
        var request = new GenerateRequest
        {
            Model = model,
            Prompt = "Once upon a time",
            Options = new RequestOptions { Temperature = 0.8f, Seed = seed, NumPredict = tokens },
        };

        var started = Stopwatch.GetTimestamp();
        TimeSpan? firstToken = null;
        GenerateDoneResponseStream? done = null;
        await foreach (var chunk in ollama.GenerateAsync(request, cancellationToken))
        {
            if (chunk is GenerateDoneResponseStream last)
            {
                done = last;
            }
            else if (firstToken is null && !string.IsNullOrEmpty(chunk?.Response))
            {
                firstToken = Stopwatch.GetElapsedTime(started);
            }
        }
        var wall = Stopwatch.GetElapsedTime(started);

        if (done is null || firstToken is null)
        {
            throw new InvalidOperationException("The stream ended without tokens or without its final line.");
        }
        return new StreamMeasurement(firstToken.Value, wall, done.EvalCount, done.EvalDuration);
    }
}
