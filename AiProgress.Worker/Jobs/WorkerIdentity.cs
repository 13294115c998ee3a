using Microsoft.Extensions.Options;

namespace AiProgress.Worker.Jobs;

/// <summary>This process's consumer name in the queue's consumer group.</summary>
public sealed class WorkerIdentity(IOptions<WorkerOptions> options)
{
    public string ConsumerName { get; } = options.Value.ConsumerName
        ?? $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..6]}";
}
