using AiProgress.Jobs.Lifecycle;
using AiProgress.Worker.Progress;

namespace AiProgress.Tests.Progress;

public class ProgressTrackerTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void RateFollowsASteadyStreamAndEtaUsesIt()
    {
        var clock = new ManualTimeProvider(Start);
        var tracker = new ProgressTracker(clock, maxTokens: 100, startedAt: Start);

        for (var i = 0; i < 30; i++)
        {
            clock.Advance(TimeSpan.FromMilliseconds(100));
            tracker.OnPiece("a");
        }

        var snapshot = tracker.Snapshot();
        Assert.Equal(30, snapshot.Tokens);
        Assert.InRange(snapshot.TokensPerSecond, 9.5, 10.5);
        Assert.InRange(snapshot.EstimatedRemainingMs!.Value, 6_600, 7_400);
        Assert.Equal(3_000, snapshot.ElapsedMs);
        Assert.Equal(30, snapshot.Percentage);
    }

    [Fact]
    public void RateReactsWithinTheWindowWhenTheStreamSlowsDown()
    {
        var clock = new ManualTimeProvider(Start);
        var tracker = new ProgressTracker(clock, maxTokens: 1000, startedAt: Start);
        for (var i = 0; i < 50; i++)
        {
            clock.Advance(TimeSpan.FromMilliseconds(20));
            tracker.OnPiece("a");
        }

        Assert.InRange(tracker.Snapshot().TokensPerSecond, 45, 55);

        for (var i = 0; i < 10; i++)
        {
            clock.Advance(TimeSpan.FromMilliseconds(250));
            tracker.OnPiece("b");
        }

        Assert.InRange(tracker.Snapshot().TokensPerSecond, 3.5, 4.5);
    }

    [Fact]
    public void BeforeTheFirstTokenThereIsNoRateAndNoEta()
    {
        var clock = new ManualTimeProvider(Start);
        var tracker = new ProgressTracker(clock, maxTokens: 100, startedAt: Start);
        clock.Advance(TimeSpan.FromMilliseconds(700));

        var snapshot = tracker.Snapshot();
        Assert.Equal(0, snapshot.Tokens);
        Assert.Equal(0, snapshot.TokensPerSecond);
        Assert.Null(snapshot.EstimatedRemainingMs);
        Assert.Equal(700, snapshot.ElapsedMs);
    }

    [Fact]
    public void PercentageStaysBelowOneHundredAndEtaNeverGoesNegative()
    {
        var clock = new ManualTimeProvider(Start);
        var tracker = new ProgressTracker(clock, maxTokens: 10, startedAt: Start);
        var previous = 0.0;
        for (var i = 0; i < 15; i++)
        {
            clock.Advance(TimeSpan.FromMilliseconds(50));
            tracker.OnPiece("x");
            var snapshot = tracker.Snapshot();
            Assert.True(snapshot.Percentage >= previous, "progress went backwards");
            Assert.True(snapshot.Percentage < 100);
            Assert.True(snapshot.EstimatedRemainingMs >= 0);
            previous = snapshot.Percentage;
        }

        Assert.Equal(99, previous);
    }

    [Fact]
    public void ATakenOverJobGoesOnFromTheTextAndTokensSoFar()
    {
        var clock = new ManualTimeProvider(Start);
        var tracker = new ProgressTracker(clock, maxTokens: 100, startedAt: Start, tokensSoFar: 40, textSoFar: "Once upon");
        tracker.OnPiece(" a time");

        Assert.Equal(41, tracker.Tokens);
        Assert.Equal("Once upon a time", tracker.TextFrom(0));
        Assert.Equal(" a time", tracker.TextFrom(9));
        Assert.Equal(41, tracker.Snapshot().Percentage);
    }
}
