using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AiProgress.Benchmarks.Pipeline;
using AiProgress.Testing;

namespace AiProgress.Benchmarks.Accuracy;

/// <summary>The seed's formula and ours on the same events: progress error, ETA error and the jump at the end.</summary>
internal sealed record AccuracyReport(
    int Jobs, int Events, double MedianLength, int MaxTokens,
    Side Seed, Side Ours, Side Floor, int ColdEvents, int ColdMismatches)
{
    public static AccuracyReport From(IReadOnlyList<JobTrace> jobs, int maxTokens)
    {
        var seed = new Collector();
        var ours = new Collector();
        var floor = new Collector();
        var best = new TokensOnlyOptimum(jobs.Select(j => j.CompletionTokens));
        int cold = 0, coldMismatches = 0;
        foreach (var job in jobs)
        {
            foreach (var sample in job.Samples.Skip(1))
            {
                var share = Math.Clamp((sample.AtMicros - job.StartMicros) / 1000.0 / job.DurationMs * 100, 0, 100);
                var left = (job.EndMicros - sample.AtMicros) / 1000.0;
                var seedShown = Math.Min(99, (int)Math.Round(sample.Tokens * 100.0 / maxTokens, 1));
                double? seedEta = sample.TokensPerSecond > 0 ? (maxTokens - sample.Tokens) / sample.TokensPerSecond * 1000 : null;
                seed.Add(seedShown, share, seedEta, left, job.DurationMs);
                ours.Add(sample.Shown, share, sample.Eta, left, job.DurationMs);
                floor.Add(best.Progress(sample.Tokens), share, best.RemainingMs(sample.Tokens, sample.TokensPerSecond), left, job.DurationMs);
                if (!sample.HadForecast)
                {
                    // With no history, ours must be the seed's exactly.
                    cold++;
                    coldMismatches += sample.Shown == seedShown ? 0 : 1;
                }
            }

            var last = job.Samples[^1];
            seed.Jump(100 - Math.Min(99, (int)Math.Round(last.Tokens * 100.0 / maxTokens, 1)));
            ours.Jump(100 - last.Shown);
            floor.Jump(100 - best.Progress(last.Tokens));
        }

        return new AccuracyReport(jobs.Count, seed.Count, Stats.Median(jobs.Select(j => (double)j.CompletionTokens)), maxTokens,
            seed.ToSide(), ours.ToSide(), floor.ToSide(), cold, coldMismatches);
    }

    public void Print() => Console.WriteLine(Markdown());

    public string Markdown()
    {
        var text = new StringBuilder();
        text.AppendLine($"{Jobs} completed jobs, {Events} progress events; median completion {MedianLength:0} tokens of max_tokens {MaxTokens}.");
        text.AppendLine();
        text.AppendLine("| | seed formula (tokens / max_tokens) | ours (learnt expected length) | best possible from tokens alone ¹ | target |");
        text.AppendLine("|---|---:|---:|---:|---|");
        text.AppendLine($"| progress error, median (points) | {Seed.ProgressMedian:0.0} | {Ours.ProgressMedian:0.0} | {Floor.ProgressMedian:0.0} | ≤ half the seed's ({Seed.ProgressMedian / 2:0.0}) |");
        text.AppendLine($"| progress error, p90 (points) | {Seed.ProgressP90:0.0} | {Ours.ProgressP90:0.0} | {Floor.ProgressP90:0.0} | |");
        text.AppendLine($"| ETA error, median (share of job time) | {Seed.EtaMedian:P0} | {Ours.EtaMedian:P0} | {Floor.EtaMedian:P0} | ≤ 15 % |");
        text.AppendLine($"| jump at the end, median (points) | {Seed.JumpMedian:0} | {Ours.JumpMedian:0} | {Floor.JumpMedian:0} | ≤ 10 |");
        text.AppendLine();
        text.AppendLine("¹ In hindsight: the median over these very jobs' final lengths (every length not below the tokens written), " +
                        "which no live estimator has; what any estimator that sees only the token count could at best reach here.");
        text.AppendLine();
        text.AppendLine($"Events before any history (cold start): {ColdEvents}, of which {ColdMismatches} differ from the seed's number.");
        text.AppendLine($"Verdict: progress {(Ours.ProgressMedian <= Seed.ProgressMedian / 2 ? "met" : "missed")}, " +
                        $"ETA {(Ours.EtaMedian <= 0.15 ? "met" : "missed")}, jump {(Ours.JumpMedian <= 10 ? "met" : "missed")}.");
        return text.ToString();
    }

    public async Task WriteAsync(TimeSpan took)
    {
        var docs = Path.Combine(RepositoryPaths.Root, "docs");
        Directory.CreateDirectory(docs);
        var section = $"""
            ## Progress accuracy (`-- progress-accuracy`, {took.TotalSeconds:0} s)

            {Markdown()}
            """;
        await BenchmarkDocs.WriteSectionAsync("progress_accuracy", section, JsonSerializer.SerializeToNode(new
        {
            jobs = Jobs, events = Events, median_completion_tokens = MedianLength, max_tokens = MaxTokens,
            seed = Seed, ours = Ours, tokens_only_optimum = Floor, cold_events = ColdEvents, cold_mismatches = ColdMismatches,
        }, new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower })!);
    }
}

/// <summary>
/// The best a forecast from the token count alone could do on a set of jobs, knowing (in hindsight) the spread of
/// their final lengths: the median shown progress and time left over every length not yet passed.
/// </summary>
internal sealed class TokensOnlyOptimum(IEnumerable<int> lengths)
{
    private readonly int[] _lengths = [.. lengths.Order()];

    public int Progress(int tokens) => (int)Math.Min(99, Math.Round(Stats.Median(StillPossible(tokens).Select(l => tokens * 100.0 / l))));

    public double? RemainingMs(int tokens, double tokensPerSecond) =>
        tokensPerSecond > 0 ? Stats.Median(StillPossible(tokens).Select(l => (double)(l - tokens))) / tokensPerSecond * 1000 : null;

    private IEnumerable<int> StillPossible(int tokens)
    {
        var longer = _lengths.Where(l => l >= Math.Max(tokens, 1)).ToList();
        return longer.Count > 0 ? longer : [Math.Max(tokens, 1)];
    }
}

internal sealed record Side(double ProgressMedian, double ProgressP90, double EtaMedian, double JumpMedian);

internal sealed class Collector
{
    private readonly List<double> _progress = [];
    private readonly List<double> _eta = [];
    private readonly List<double> _jumps = [];

    public int Count => _progress.Count;

    public void Add(double shown, double share, double? eta, double leftMs, double jobMs)
    {
        _progress.Add(Math.Abs(shown - share));
        if (eta is { } e && jobMs > 0)
        {
            _eta.Add(Math.Abs(e - leftMs) / jobMs);
        }
    }

    public void Jump(double points) => _jumps.Add(points);

    public Side ToSide() => new(Stats.Median(_progress), Stats.Percentile(_progress, 90), Stats.Median(_eta), Stats.Median(_jumps));
}
