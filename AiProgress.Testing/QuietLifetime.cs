using Microsoft.Extensions.Hosting;

namespace AiProgress.Testing;

/// <summary>
/// Replaces the hosts' console lifetime, which would turn Ctrl+C or SIGTERM into "stop this one host" and leave
/// the benchmark running against a stopped API or worker: the signal ends the whole process, servers included.
/// </summary>
public sealed class QuietLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
