using System.Diagnostics;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AiProgress.AppHost.Hosting;

/// <summary>
/// Logs each resource's state and health as it changes, and once how long it took until every resource was
/// ready: the terminal tells the same story as the dashboard.
/// </summary>
internal sealed class StartupReporter(ResourceNotificationService notifications, DistributedApplicationModel model, ILogger<StartupReporter> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // From the AppHost process's own start: resources are launched before hosted services run.
        var startedAt = Process.GetCurrentProcess().StartTime.ToUniversalTime();
        var expected = model.Resources.Where(r => r is not ParameterResource).Select(r => r.Name).ToHashSet();
        var last = new Dictionary<string, string>();
        var ready = new HashSet<string>();
        var reported = false;
        await foreach (var update in notifications.WatchAsync(stoppingToken))
        {
            if (update.Snapshot.IsHidden)
            {
                expected.Remove(update.Resource.Name);
                continue;
            }

            var state = update.Snapshot.State?.Text ?? "?";
            var health = update.Snapshot.HealthStatus?.ToString() ?? "-";
            var summary = $"{state}/{health}";
            if (last.GetValueOrDefault(update.Resource.Name) != summary)
            {
                last[update.Resource.Name] = summary;
                logger.LogInformation("Resource {Resource}: {State}, health {Health}", update.Resource.Name, state, health);
            }

            var isReady = state == KnownResourceStates.Finished && update.Snapshot.ExitCode == 0
                || state == KnownResourceStates.Running && update.Snapshot.HealthStatus is null or HealthStatus.Healthy;
            if (isReady) ready.Add(update.Resource.Name); else ready.Remove(update.Resource.Name);

            if (!reported && expected.IsSubsetOf(ready))
            {
                reported = true;
                logger.LogInformation("All {Count} resources are ready after {Seconds:0.0} s", expected.Count, (DateTime.UtcNow - startedAt).TotalSeconds);
            }
        }
    }
}
