using System.Collections.Concurrent;
using AiProgress.Jobs.Data;
using AiProgress.Jobs.Telemetry;
using Microsoft.EntityFrameworkCore;

namespace AiProgress.Worker.Progress;

/// <summary>What the length model expects of a job's whole completion, given what it has written so far.</summary>
public sealed record LengthForecast(double Expected, double Low, double High);

/// <summary>
/// How long completions of each model turn out to be, learnt from the jobs that finished (MySQL has them; a
/// recent window is cached here and refreshed in the background, and this worker's own completions are added at
/// once). A job's expected length is the mean of the lengths longer than what it has already written, capped at
/// its max_tokens, with the 10th and 90th percentile as a band. With too little history there is no forecast,
/// and progress falls back to the seed's tokens / max_tokens.
/// </summary>
public sealed class CompletionLengths(IDbContextFactory<JobsDbContext> contexts, TimeProvider time, ILogger<CompletionLengths> logger)
    : BackgroundService
{
    public const int MinimumHistory = 10;
    private const int WindowPerModel = 500;
    private static readonly TimeSpan RefreshEvery = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<string, History> _history = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>One finished job: how much it wrote, and the limit it had (a job at its limit might have gone on).</summary>
    public readonly record struct Sample(int Tokens, int MaxTokens);

    /// <summary>Called on every progress snapshot, so it only searches lengths sorted once per history and limit.</summary>
    public LengthForecast? Forecast(string model, int maxTokens, int tokensSoFar)
    {
        if (!_history.TryGetValue(model, out var history))
        {
            return null;
        }

        var lengths = history.For(maxTokens);
        if (lengths.Count < MinimumHistory)
        {
            return null;
        }

        var longer = lengths.LongerThan(tokensSoFar);
        if (longer == 0)
        {
            // Longer than anything seen: nothing better to say than the limit.
            return new LengthForecast(maxTokens, tokensSoFar, maxTokens);
        }

        return new LengthForecast(lengths.MeanOfLongest(longer), lengths.PercentileOfLongest(longer, 0.1), lengths.PercentileOfLongest(longer, 0.9));
    }

    public void Record(string model, int completionTokens, int maxTokens) =>
        _history.AddOrUpdate(model, _ => new History([new Sample(completionTokens, maxTokens)]),
            (_, history) => new History([.. history.Samples.TakeLast(WindowPerModel - 1), new Sample(completionTokens, maxTokens)]));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var untraced = Untraced.Begin();
        using var timer = new PeriodicTimer(RefreshEvery, time);
        do
        {
            try
            {
                await RefreshAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is System.Data.Common.DbException or InvalidOperationException or TimeoutException)
            {
                logger.LogDebug(ex, "Could not refresh the completion-length history; keeping what is known");
            }
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var since = time.GetUtcNow().UtcDateTime.AddDays(-30);
        var recent = await db.Jobs.AsNoTracking()
            .Where(j => j.Status == JobStatus.Completed && j.CompletedAt > since && j.CompletionTokens != null)
            .OrderByDescending(j => j.CompletedAt)
            .Take(WindowPerModel * 8)
            .Select(j => new { j.Model, Tokens = j.CompletionTokens!.Value, j.MaxTokens })
            .ToListAsync(cancellationToken);
        foreach (var model in recent.GroupBy(j => j.Model, StringComparer.OrdinalIgnoreCase))
        {
            _history[model.Key] = new History(model.Take(WindowPerModel).Reverse().Select(j => new Sample(j.Tokens, j.MaxTokens)).ToArray());
        }
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>A model's recent samples; what each max_tokens makes of them is worked out once and kept with them.</summary>
    private sealed class History(Sample[] samples)
    {
        private readonly ConcurrentDictionary<int, SortedLengths> _byLimit = new();

        public Sample[] Samples { get; } = samples;

        public SortedLengths For(int maxTokens) => _byLimit.GetOrAdd(maxTokens, max => SortedLengths.Of(Samples, max));
    }

    /// <summary>The lengths that speak for one limit, capped at it and sorted, with suffix sums for the conditional mean.</summary>
    private sealed class SortedLengths
    {
        private readonly int[] _sorted;
        private readonly long[] _suffixSums;

        private SortedLengths(int[] sorted)
        {
            _sorted = sorted;
            _suffixSums = new long[sorted.Length + 1];
            for (var i = sorted.Length - 1; i >= 0; i--)
            {
                _suffixSums[i] = _suffixSums[i + 1] + sorted[i];
            }
        }

        public int Count => _sorted.Length;

        // A sample that stopped at a lower limit only says "at least that long": it counts only where that is enough.
        public static SortedLengths Of(Sample[] samples, int maxTokens) => new(samples
            .Where(s => s.Tokens < s.MaxTokens || s.MaxTokens >= maxTokens)
            .Select(s => Math.Min(s.Tokens, maxTokens))
            .Order()
            .ToArray());

        /// <summary>How many lengths are longer than <paramref name="tokens"/> (they are the last ones).</summary>
        public int LongerThan(int tokens)
        {
            var index = Array.BinarySearch(_sorted, tokens + 1);
            if (index < 0)
            {
                index = ~index;
            }

            while (index > 0 && _sorted[index - 1] > tokens)
            {
                index--;
            }

            return _sorted.Length - index;
        }

        public double MeanOfLongest(int count) => (double)_suffixSums[_sorted.Length - count] / count;

        public double PercentileOfLongest(int count, double p) =>
            _sorted[_sorted.Length - count + (int)Math.Clamp(Math.Round(p * (count - 1)), 0, count - 1)];
    }
}
