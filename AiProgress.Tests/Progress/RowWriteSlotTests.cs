using AiProgress.Jobs.Lifecycle;
using AiProgress.Worker.Jobs;

namespace AiProgress.Tests.Progress;

public class RowWriteSlotTests
{
    private const long Interval = 500;

    [Fact]
    public void OnTimeTheNextSlotIsOneIntervalOn() => Assert.Equal(1_500, ProgressRows.NextSlot(1_000, now: 1_010, Interval));

    [Fact]
    public void AfterASlowWriteEachJobGoesBackToItsOwnMoment()
    {
        // Two jobs a quarter interval apart, both written late at 2,600 ms: they do not stay bunched.
        var first = ProgressRows.NextSlot(1_000, now: 2_600, Interval);
        var second = ProgressRows.NextSlot(1_125, now: 2_600, Interval);
        Assert.Equal(3_000, first);
        Assert.Equal(3_125, second);
    }

    [Fact]
    public void AJobIsNeverWrittenAgainWithinMostOfAnInterval()
    {
        // Written late, just before its next slot: that slot is skipped rather than written 60 ms after.
        Assert.Equal(2_000, ProgressRows.NextSlot(1_000, now: 1_440, Interval));
    }

    [Fact]
    public void RowsGoInStatementsOfAtMost250JobsAndTwoMillionCharacters()
    {
        var snapshot = new ProgressSnapshot(1, 1, 1, 1, 1, 1);
        var small = Enumerable.Range(0, 600).Select(i => new ProgressRow($"j{i}", 1, snapshot, "abc")).ToList();
        Assert.Equal([250, 250, 100], ProgressRows.Chunks(small).Select(c => c.Length));

        var longText = new string('x', 900_000);
        var big = Enumerable.Range(0, 5).Select(i => new ProgressRow($"j{i}", 1, snapshot, longText)).ToList();
        Assert.Equal([2, 2, 1], ProgressRows.Chunks(big).Select(c => c.Length));
        // A row longer than the bound still goes, alone.
        Assert.Single(ProgressRows.Chunks([new ProgressRow("huge", 1, snapshot, new string('y', 3_000_000))]));
    }
}
