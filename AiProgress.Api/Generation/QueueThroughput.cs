using AiProgress.Jobs.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;

namespace AiProgress.Api.Generation;

/// <summary>
/// How fast the queue drains for a model, measured: the jobs of that model that began in the last two minutes,
/// over the time between the first and the last of them. A queued job's expected start is its place in line over
/// that rate; with fewer than two starts measured there is none.
/// </summary>
public sealed class QueueThroughput(IDbContextFactory<JobsDbContext> contexts, IMemoryCache cache, TimeProvider time)
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(1);

    /// <summary>Milliseconds until the job at <paramref name="position"/> is expected to begin, or null.</summary>
    public async Task<long?> EstimatedStartAsync(string model, long position, CancellationToken cancellationToken)
    {
        var startsPerSecond = await cache.GetOrCreateAsync($"queue-drain:{model}", async entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = CacheFor;
            var since = time.GetUtcNow().UtcDateTime - Window;
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            var starts = await db.Jobs.Where(j => j.Model == model && j.StartedAt >= since)
                .GroupBy(_ => 1)
                .Select(g => new { Count = g.Count(), First = g.Min(j => j.StartedAt), Last = g.Max(j => j.StartedAt) })
                .FirstOrDefaultAsync(cancellationToken);
            return starts is { Count: >= 2, First: { } first, Last: { } last } && last > first
                ? (starts.Count - 1) / (last - first).TotalSeconds
                : 0;
        });
        return startsPerSecond > 0 ? (long)(position / startsPerSecond * 1000) : null;
    }
}
