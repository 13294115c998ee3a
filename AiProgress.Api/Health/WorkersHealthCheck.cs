using AiProgress.Jobs.Liveness;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AiProgress.Api.Health;

/// <summary>Degraded when no worker has been alive for a while: jobs are accepted, but nothing would run them.</summary>
public sealed class WorkersHealthCheck(WorkerLiveness liveness, TimeProvider time) : IHealthCheck
{
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(15);
    private long _lastSeenAlive = time.GetTimestamp();

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        int alive;
        try
        {
            alive = await liveness.CountAliveAsync();
        }
        catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException)
        {
            return HealthCheckResult.Degraded("Cannot tell whether workers are alive: Redis is unavailable.", ex);
        }

        if (alive > 0)
        {
            Interlocked.Exchange(ref _lastSeenAlive, time.GetTimestamp());
            return HealthCheckResult.Healthy($"{alive} worker(s) alive.");
        }

        var since = time.GetElapsedTime(Interlocked.Read(ref _lastSeenAlive));
        return since < Grace
            ? HealthCheckResult.Healthy("No worker alive for a moment.")
            : HealthCheckResult.Degraded($"No worker has been alive for {since.TotalSeconds:0} s; jobs wait in the queue.");
    }
}
