namespace AiProgress.Benchmarks.Report;

/// <summary>
/// Keeps the load generator's own collections out of what it measures. Once every watcher is connected it compacts
/// what the connections hold into gen2 and then allocates in a no-GC region, so no collection lands in the window.
/// Measured at 2,500 × 2 before: two collections in the window (the first copying everything the connections had
/// allocated) paused it 340 ms in all, and every frame read meanwhile was stamped that much late.
/// </summary>
internal sealed class InstrumentPauses
{
    // 30 s of 5,000 streams allocate ~200 MB here; the region is far larger, so it holds through any case.
    private static readonly long[] RegionSizes = [4_000_000_000, 1_000_000_000, 250_000_000];

    private int _collectionsAtStart;
    private TimeSpan _pausedAtStart;

    public long RegionBytes { get; private set; }

    /// <summary>Called before the window opens.</summary>
    public void Settle()
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        RegionBytes = RegionSizes.FirstOrDefault(TryStartRegion);
        _collectionsAtStart = GC.CollectionCount(0);
        _pausedAtStart = GC.GetTotalPauseDuration();
    }

    /// <summary>Collections since <see cref="Settle"/> (gen1 and gen2 count as gen0 too) and their pauses.</summary>
    public (int Collections, double PausedMs) SinceSettled() =>
        (GC.CollectionCount(0) - _collectionsAtStart, Math.Round((GC.GetTotalPauseDuration() - _pausedAtStart).TotalMilliseconds, 1));

    private static bool TryStartRegion(long bytes)
    {
        try
        {
            return GC.TryStartNoGCRegion(bytes);
        }
        catch (ArgumentOutOfRangeException)
        {
            // Larger than this runtime allows: a smaller one is tried.
            return false;
        }
    }
}
