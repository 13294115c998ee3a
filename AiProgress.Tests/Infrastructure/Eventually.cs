using System.Diagnostics;

namespace AiProgress.Tests.Infrastructure;

/// <summary>Waits, bounded, for something the system does on its own clock; fails with what was seen.</summary>
internal static class Eventually
{
    public static Task TrueAsync(Func<bool> condition, Func<string> failure, TimeSpan? within = null) =>
        TrueAsync(() => Task.FromResult(condition()), failure, within);

    public static async Task TrueAsync(Func<Task<bool>> condition, Func<string> failure, TimeSpan? within = null)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)((within ?? TimeSpan.FromSeconds(10)).TotalSeconds * Stopwatch.Frequency);
        while (!await condition())
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                Assert.Fail(failure());
            }

            await Task.Delay(10);
        }
    }

    /// <summary>A pipeline condition, with the pipeline's patience.</summary>
    public static Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan? timeout = null) =>
        TrueAsync(condition, () => "condition not met in time", timeout ?? PipelineFixture.Patience);
}
