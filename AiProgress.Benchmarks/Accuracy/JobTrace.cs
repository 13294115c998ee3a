using System.Text.Json;
using AiProgress.Testing;

namespace AiProgress.Benchmarks.Accuracy;

/// <summary>One progress event as a watcher saw it: when, and what both formulas would have shown.</summary>
internal sealed record ProgressSample(long AtMicros, int Tokens, double TokensPerSecond, int Shown, long? Eta, bool HadForecast);

/// <summary>A completed job's progress events, from the first processing event to <c>complete</c>.</summary>
internal sealed record JobTrace(long StartMicros, long EndMicros, int CompletionTokens, IReadOnlyList<ProgressSample> Samples)
{
    public double DurationMs => (EndMicros - StartMicros) / 1000.0;

    public static JobTrace? From(IReadOnlyList<ReceivedEvent> events)
    {
        var processing = events.Where(e => e.Type == "progress" && e.Status == "processing").ToList();
        var complete = events.LastOrDefault(e => e.Type == "complete");
        if (processing.Count == 0 || complete is null)
        {
            return null;
        }

        var samples = processing.Select(e => new ProgressSample(
            e.ReceivedMicros,
            e.Data.GetProperty("current_tokens").GetInt32(),
            e.Data.GetProperty("tokens_per_second").GetDouble(),
            e.Data.GetProperty("progress").GetInt32(),
            e.Data.TryGetProperty("estimated_remaining", out var eta) && eta.ValueKind == JsonValueKind.Number ? eta.GetInt64() : null,
            e.Data.TryGetProperty("expected_tokens", out _))).ToList();
        return new JobTrace(processing[0].ReceivedMicros, complete.ReceivedMicros,
            complete.Data.GetProperty("completion_tokens").GetInt32(), samples);
    }
}
