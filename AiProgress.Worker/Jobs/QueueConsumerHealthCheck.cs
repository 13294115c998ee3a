using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AiProgress.Worker.Jobs;

/// <summary>
/// Ready while the consume loop runs: it listens on the queue and has gone round recently. A loop that crashed
/// or hangs turns this unhealthy, so the AppHost and tests see it.
/// </summary>
public sealed class QueueConsumerHealthCheck(QueueConsumer consumer) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(consumer.Liveness() switch
        {
            { Exception: { } crash } => HealthCheckResult.Unhealthy("The queue consumer crashed.", crash),
            { Listening: false } => HealthCheckResult.Unhealthy("Not listening on the job queue."),
            { SinceLastRound: var quiet, Limit: var limit } when quiet > limit =>
                HealthCheckResult.Unhealthy($"The queue consumer has not gone round for {quiet.TotalSeconds:0} s."),
            _ => HealthCheckResult.Healthy(),
        });
}
