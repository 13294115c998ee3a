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
                pace.Sent(now, now);
                sends++;
            }
        }

        Assert.InRange(sends, 199, 201);
    }

    [Fact]
    public void ATokenALittleEarlyAfterALateOneIsNotHeldBack()
    {
        var pace = new TextPace(Interval);
        pace.Sent(0, 0);
        pace.Sent(62, 62);            // 12 ms late
        Assert.True(92 >= pace.DueAt, "the next token, 30 ms after the late one, goes at once");
        pace.Sent(92, 92);
        Assert.True(150 >= pace.DueAt);
    }

    [Fact]
    public void TwoSendsInARowNeverComeCloserThanHalfAnInterval()
    {
        var pace = new TextPace(Interval);
        pace.Sent(1_000, 1_000);          // after a pause
        Assert.Equal(1_025, pace.DueAt);
        pace.Sent(1_025, 1_025);
        Assert.Equal(1_075, pace.DueAt);
    }

    [Fact]
    public void TokensAtTheIntervalGoAtOnceAgainAfterOneLateSend()
    {
        // Tokens every 50 ms; the one of t=100 went out 40 ms late (a stall). Every later token must go when it comes:
        // counted from the send alone, each waited 25 ms for its turn to the end of the job.
        var pace = new TextPace(Interval);
        var waits = new List<long>();
        for (long token = 0; token <= 1_000; token += Interval)
        {
            var sentAt = token == 100 ? 140 : Math.Max(token, pace.DueAt);
            if (token > 100) waits.Add(sentAt - token);
            pace.Sent(sentAt, token);
        }

        Assert.All(waits, wait => Assert.Equal(0, wait));
    }

    [Fact]
    public void AFastStreamAfterAStallStillGetsOneEventPerInterval()
    {
        var pace = new TextPace(Interval);
        var sends = 0;
        for (long now = 0; now < 10_000; now += 5)
        {
            if (now is >= 3_000 and < 3_400) continue; // the pump stalled 400 ms; tokens pile up meanwhile
            if (now >= pace.DueAt)
            {
                pace.Sent(now, now);
                sends++;
            }
        }

        // 9.6 s of tokens: 192 turns, and a stall buys no burst after it (one early send at most, as after any pause).
        Assert.InRange(sends, 190, 195);
    }
}
