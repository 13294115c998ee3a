using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AiProgress.Worker.Jobs;

/// <summary>Ready once the worker listens on the queue, so the AppHost and tests can wait for it.</summary>
public sealed class QueueConsumerHealthCheck(QueueConsumer consumer) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(consumer.IsListening
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy("Not yet listening on the job queue."));
}
