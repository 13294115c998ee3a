using AiProgress.Tests.Infrastructure;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AiProgress.Tests.Pipeline;

/// <summary>The worker's readiness comes from its consume loop, and bad settings stop it at start.</summary>
public class WorkerHealthTests(ApiOnlyFixture system) : IClassFixture<ApiOnlyFixture>
{
    [Fact]
    public async Task The_queue_consumer_is_healthy_while_its_loop_runs_and_not_once_it_stopped()
    {
        var worker = await system.StartWorkerAsync();
        var health = worker.Services.GetRequiredService<HealthCheckService>();
        await Eventually.TrueAsync(async () => (await ConsumerStatusAsync(health)) == HealthStatus.Healthy, () => "never healthy");

        var consumer = worker.Services.GetRequiredService<AiProgress.Worker.Jobs.QueueConsumer>();
        await consumer.StopAsync(CancellationToken.None);

        Assert.Equal(HealthStatus.Unhealthy, await ConsumerStatusAsync(health));
        await worker.DisposeAsync();
    }

    [Theory]
    [InlineData("Worker:EventInterval", "00:00:00")]
    [InlineData("Worker:StallTimeout", "-00:00:01")]
    [InlineData("Worker:DatabaseWriteInterval", "00:00:00")]
    public async Task A_duration_that_is_not_positive_stops_the_worker_at_start(string key, string value)
    {
        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => system.StartWorkerAsync((key, value)));
        Assert.Contains(key.Split(':')[1], failure.Message);
    }

    private static async Task<HealthStatus> ConsumerStatusAsync(HealthCheckService health) =>
        (await health.CheckHealthAsync(c => c.Name == "queue-consumer")).Status;
}
