using AiProgress.Api.Health;
using AiProgress.Jobs;
using AiProgress.Jobs.Liveness;
using AiProgress.Jobs.Queue;
using AiProgress.Tests.Infrastructure;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AiProgress.Tests.Api;

/// <summary>The API's /health says Degraded when no worker has been alive for a while, and Healthy once one is.</summary>
public class WorkersHealthTests(ApiOnlyFixture system) : IClassFixture<ApiOnlyFixture>
{
    [Fact]
    public async Task No_live_worker_for_a_while_is_Degraded_and_a_live_one_is_Healthy()
    {
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow);
        var liveness = new WorkerLiveness(system.RedisConnection);
        var check = new WorkersHealthCheck(liveness, clock);
        var context = new HealthCheckContext();

        var atStart = await check.CheckHealthAsync(context);
        clock.Advance(TimeSpan.FromSeconds(20));
        var later = await check.CheckHealthAsync(context);
        var db = system.RedisConnection.GetDatabase();
        await new JobQueue(system.RedisConnection, TimeProvider.System).EnsureCreatedAsync();
        await db.ExecuteAsync("XGROUP", "CREATECONSUMER", (string)RedisKeys.Queue!, RedisKeys.QueueGroup, "health-probe-worker");
        await liveness.MarkAliveAsync("health-probe-worker", TimeSpan.FromSeconds(30));
        var withWorker = await check.CheckHealthAsync(context);

        Assert.Equal(HealthStatus.Healthy, atStart.Status);
        Assert.Equal(HealthStatus.Degraded, later.Status);
        Assert.Equal(HealthStatus.Healthy, withWorker.Status);
        await liveness.ReleaseAsync("health-probe-worker");
    }
}
