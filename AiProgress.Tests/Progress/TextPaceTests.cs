using AiProgress.Worker.Jobs;

namespace AiProgress.Tests.Progress;

public class TextPaceTests
{
    private const long Interval = 50;

    [Fact]
    public void AFastStreamGetsOneTextEventPerIntervalOnAverage()
    {
        var pace = new TextPace(Interval);
        var sends = 0;
        for (long now = 0; now < 10_000; now += 5) // a token every 5 ms for 10 s
        {
            if (now >= pace.DueAt)
            {
                pace.Sent(now);
                sends++;
            }
        }

        Assert.InRange(sends, 199, 201);
    }

    [Fact]
    public void ATokenALittleEarlyAfterALateOneIsNotHeldBack()
    {
        var pace = new TextPace(Interval);
        pace.Sent(0);
        pace.Sent(62);            // 12 ms late
        Assert.True(92 >= pace.DueAt, "the next token, 30 ms after the late one, goes at once");
        pace.Sent(92);
        Assert.True(150 >= pace.DueAt);
    }

    [Fact]
    public void TwoSendsInARowNeverComeCloserThanHalfAnInterval()
    {
        var pace = new TextPace(Interval);
        pace.Sent(1_000);          // after a pause
        Assert.Equal(1_025, pace.DueAt);
        pace.Sent(1_025);
        Assert.Equal(1_075, pace.DueAt);
    }
}
