using System.Globalization;

namespace AiProgress.Benchmarks.LocalOllama;

internal sealed record RunSample(IReadOnlyList<StreamMeasurement> Streams, TimeSpan Wall)
{
    public double AggregateTokensPerSecond => Streams.Sum(s => s.EvalCount) / Wall.TotalSeconds;
}

/// <summary>One table row: the median over runs of each run's mean per stream.</summary>
internal sealed record ScenarioResult(
    int Streams,
    double TimeToFirstTokenMs,
    double ServerTokensPerSecond,
    double WallTokensPerSecond,
    double AggregateTokensPerSecond,
    int EvalCount)
{
    public static ScenarioResult MedianOf(int streams, IReadOnlyList<RunSample> runs) => new(
        streams,
        Median(runs.Select(r => r.Streams.Average(s => s.TimeToFirstToken.TotalMilliseconds))),
        Median(runs.Select(r => r.Streams.Average(s => s.ServerTokensPerSecond))),
        Median(runs.Select(r => r.Streams.Average(s => s.WallTokensPerSecond))),
        Median(runs.Select(r => r.AggregateTokensPerSecond)),
        runs[0].Streams[0].EvalCount);

    public static void Print(IReadOnlyList<ScenarioResult> rows)
    {
        Console.WriteLine();
        Console.WriteLine("| streams | tokens/stream | TTFT ms | server tok/s per stream | wall tok/s per stream | total tok/s |");
        Console.WriteLine("|--------:|--------------:|--------:|------------------------:|----------------------:|------------:|");
        foreach (var row in rows)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {row.Streams,7} | {row.EvalCount,13} | {row.TimeToFirstTokenMs,7:F1} | {row.ServerTokensPerSecond,23:F0} | {row.WallTokensPerSecond,21:F0} | {row.AggregateTokensPerSecond,11:F0} |"));
        }
        Console.WriteLine();
        Console.WriteLine("server tok/s = eval_count / eval_duration; wall tok/s = eval_count / (request sent .. last line);");
        Console.WriteLine("total tok/s = all streams' tokens / wall time of the run. Each figure is the median over runs.");
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
