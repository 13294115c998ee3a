using System.Diagnostics;
using AiProgress.Worker.Jobs;

namespace AiProgress.Tests.Progress;

public class TextArrivalsTests
{
    [Fact]
    public async Task A_wait_of_a_fraction_of_a_millisecond_waits_instead_of_coming_back_at_once()
    {
        var arrivals = new TextArrivals();
        var turns = 0;
        var clock = Stopwatch.StartNew();
        // The pump's wait for the rest of the millisecond before its next look: it must not turn into a spin.
        while (clock.Elapsed < TimeSpan.FromMilliseconds(20))
        {
            Assert.False(await arrivals.WaitAsync(TimeSpan.FromMilliseconds(0.3), CancellationToken.None));
            turns++;
        }

        Assert.InRange(turns, 1, 20);
    }
}
