using AiProgress.Worker.Progress;
using Microsoft.Extensions.Logging.Abstractions;

namespace AiProgress.Tests.Progress;

/// <summary>Progress and ETA against the expected length, learnt from finished jobs; the seed's numbers without history.</summary>
public class LengthModelTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static CompletionLengths LengthsOf(string model, int maxTokens, params int[] lengths)
    {
        var history = new CompletionLengths(null!, TimeProvider.System, NullLogger<CompletionLengths>.Instance);
        foreach (var length in lengths) history.Record(model, length, maxTokens);
        return history;
    }

    private static (ProgressTracker Tracker, ManualTimeProvider Clock) Run(int maxTokens, int tokens, Func<int, LengthForecast?>? forecast)
    {
        var clock = new ManualTimeProvider(Start);
        var tracker = new ProgressTracker(clock, maxTokens, Start, forecast: forecast);
        for (var i = 0; i < tokens; i++)
        {
            clock.Advance(TimeSpan.FromMilliseconds(100));
            tracker.OnPiece("a ");
        }

        return (tracker, clock);
    }

    [Fact]
    public void Without_history_the_numbers_are_the_seeds()
    {
        var history = LengthsOf("m", 500, 100, 120);
        var (tracker, _) = Run(500, 50, t => history.Forecast("m", 500, t));

        var snapshot = tracker.Snapshot();

        Assert.Null(history.Forecast("m", 500, 50));
        Assert.Equal(10, snapshot.Percentage);
        Assert.InRange(snapshot.EstimatedRemainingMs!.Value, 40_000, 47_000);
        Assert.Null(snapshot.ExpectedTokens);
    }

    [Fact]
    public void With_history_progress_and_ETA_follow_the_expected_length_with_a_band()
    {
        var history = LengthsOf("m", 500, Enumerable.Range(0, 20).Select(i => 90 + i).ToArray());
        var (tracker, _) = Run(500, 50, t => history.Forecast("m", 500, t));

        var snapshot = tracker.Snapshot();

        Assert.InRange(snapshot.ExpectedTokens!.Value, 99, 100);
        Assert.InRange(snapshot.Percentage, 49, 51);
        Assert.InRange(snapshot.EstimatedRemainingMs!.Value, 4_500, 5_500);
        Assert.True(snapshot.EstimatedRemainingLowMs < snapshot.EstimatedRemainingMs && snapshot.EstimatedRemainingMs < snapshot.EstimatedRemainingHighMs,
            $"{snapshot.EstimatedRemainingLowMs} < {snapshot.EstimatedRemainingMs} < {snapshot.EstimatedRemainingHighMs}");
    }

    [Fact]
    public void The_expectation_is_conditional_on_what_was_already_written()
    {
        var history = LengthsOf("m", 1000, [.. Enumerable.Repeat(50, 10), .. Enumerable.Repeat(300, 10)]);

        Assert.Equal(175, history.Forecast("m", 1000, 10)!.Expected);
        Assert.Equal(300, history.Forecast("m", 1000, 60)!.Expected);
        Assert.Equal(200, history.Forecast("m", 200, 60)!.Expected);
    }

    [Fact]
    public void A_sample_cut_by_a_lower_limit_does_not_count_for_a_higher_one()
    {
        var history = LengthsOf("m", 100, Enumerable.Repeat(100, 15).ToArray());

        Assert.NotNull(history.Forecast("m", 100, 10));
        Assert.NotNull(history.Forecast("m", 50, 10));
        Assert.Null(history.Forecast("m", 500, 10));
    }

    [Fact]
    public void Progress_never_goes_back_when_a_job_outlives_the_estimate_and_eases_when_it_moves()
    {
        var history = LengthsOf("m", 1000, Enumerable.Repeat(100, 20).ToArray());
        var (tracker, clock) = Run(1000, 80, t => history.Forecast("m", 1000, t));
        var before = tracker.Snapshot().Percentage;
        var seen = new List<double> { before };
        for (var i = 0; i < 60; i++)
        {
            clock.Advance(TimeSpan.FromMilliseconds(100));
            tracker.OnPiece("a ");
            seen.Add(tracker.Snapshot().Percentage);
        }

        Assert.InRange(before, 79, 81);
        Assert.Equal(seen.Order(), seen);
        Assert.All(seen, p => Assert.True(p < 100));
    }

    [Fact]
    public void A_moved_estimate_is_eased_into_not_stepped()
    {
        var expected = 1000.0;
        var clock = new ManualTimeProvider(Start);
        var tracker = new ProgressTracker(clock, 1000, Start, forecast: _ => new LengthForecast(expected, expected, expected));
        for (var i = 0; i < 100; i++) { clock.Advance(TimeSpan.FromMilliseconds(10)); tracker.OnPiece("a"); }
        Assert.Equal(10, tracker.Snapshot().Percentage);

        expected = 200;
        clock.Advance(TimeSpan.FromMilliseconds(100));
        var eased = tracker.Snapshot().Percentage;
        clock.Advance(TimeSpan.FromSeconds(6));
        var settled = tracker.Snapshot().Percentage;

        Assert.InRange(eased, 10.1, 30);
        Assert.InRange(settled, 49, 50);
    }

    [Fact]
    public void The_history_is_a_window_of_the_last_500_completions()
    {
        var history = LengthsOf("m", 1000, [.. Enumerable.Repeat(100, 500)]);
        Assert.Equal(100, history.Forecast("m", 1000, 0)!.Expected);

        for (var i = 0; i < 499; i++) history.Record("m", 300, 1000);
        Assert.Equal((100 + 499 * 300) / 500.0, history.Forecast("m", 1000, 0)!.Expected, 6);
        history.Record("m", 300, 1000);
        Assert.Equal(300, history.Forecast("m", 1000, 0)!.Expected);
    }

    [Fact]
    public void Updated_in_place_the_forecasts_match_a_recount_of_the_window_for_every_limit()
    {
        var random = new Random(7);
        var history = new CompletionLengths(null!, TimeProvider.System, NullLogger<CompletionLengths>.Instance);
        var window = new List<(int Tokens, int Max)>();
        int[] limits = [64, 256, 512];
        for (var i = 0; i < 1500; i++)
        {
            var max = limits[random.Next(limits.Length)];
            // Some stop at their limit: those speak only for limits no higher than theirs.
            var tokens = random.Next(4) == 0 ? max : random.Next(1, max);
            history.Record("m", tokens, max);
            window.Add((tokens, max));
            if (window.Count > 500) window.RemoveAt(0);
            if (i % 97 != 0) continue;

            foreach (var limit in limits)
            {
                var soFar = random.Next(0, limit);
                var lengths = window.Where(s => s.Tokens < s.Max || s.Max >= limit).Select(s => Math.Min(s.Tokens, limit)).Order().ToArray();
                var longer = lengths.Where(l => l > soFar).ToArray();
                var forecast = history.Forecast("m", limit, soFar);
                if (lengths.Length < CompletionLengths.MinimumHistory)
                {
                    Assert.Null(forecast);
                }
                else if (longer.Length == 0)
                {
                    Assert.Equal(new LengthForecast(limit, soFar, limit), forecast);
                }
                else
                {
                    Assert.Equal(longer.Average(), forecast!.Expected, 6);
                    Assert.Equal(longer[(int)Math.Round(0.1 * (longer.Length - 1))], forecast.Low);
                    Assert.Equal(longer[(int)Math.Round(0.9 * (longer.Length - 1))], forecast.High);
                }
            }
        }
    }
}
