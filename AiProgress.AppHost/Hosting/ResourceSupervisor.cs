using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AiProgress.AppHost.Hosting;

/// <summary>
/// Brings back supervised resources that exit on their own, one replica at a time, through the same start command
/// the dashboard uses (<see cref="ResourceCommandService"/>). A stop from the dashboard passes through "Stopping"
/// first and is left alone, as is everything while the AppHost shuts down. Crashes in a row wait longer each time
/// (<see cref="RestartPolicy"/>), and a crash loop shows as such on the dashboard and in the log.
/// </summary>
internal sealed class ResourceSupervisor(
    ResourceNotificationService notifications,
    ResourceCommandService commands,
    IHostApplicationLifetime lifetime,
    IOptions<RestartPolicy> options,
    TimeProvider time,
    ILogger<ResourceSupervisor> logger) : BackgroundService
{
    private readonly ConcurrentDictionary<string, Instance> _instances = new();

    private sealed class Instance
    {
        public string? LastState;
        public bool StopRequested;
        public DateTime? HandledStop;
        public int Crashes;
        public DateTimeOffset? RunningSince;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var policy = options.Value;
        if (!policy.Enabled)
        {
            logger.LogInformation("Restarts are off (AppHost:Restart:Enabled=false): a resource that exits stays down");
            return;
        }

        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, lifetime.ApplicationStopping);
        try
        {
            await foreach (var update in notifications.WatchAsync(stopping.Token))
            {
                if (update.Resource.HasAnnotationOfType<SupervisedAnnotation>())
                {
                    Observe(update, policy, stopping.Token);
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }

    private void Observe(ResourceEvent update, RestartPolicy policy, CancellationToken stopping)
    {
        var instance = _instances.GetOrAdd(update.ResourceId, _ => new Instance());
        var state = update.Snapshot.State?.Text;
        lock (instance)
        {
            if (state == instance.LastState)
            {
                return;
            }

            var previous = instance.LastState;
            instance.LastState = state;
            if (state == KnownResourceStates.Stopping)
            {
                instance.StopRequested = true;
                return;
            }

            if (state == KnownResourceStates.Running)
            {
                instance.StopRequested = false;
                instance.RunningSince ??= time.GetUtcNow();
                return;
            }

            var ended = state == KnownResourceStates.Finished || state == KnownResourceStates.Exited || state == KnownResourceStates.FailedToStart;
            if (!ended || previous is null || stopping.IsCancellationRequested)
            {
                return;
            }

            if (instance.StopRequested || instance.HandledStop == update.Snapshot.StopTimeStamp)
            {
                // Asked to stop (the dashboard, a restart command), or the same end told again.
                instance.StopRequested = false;
                instance.RunningSince = null;
                return;
            }

            instance.HandledStop = update.Snapshot.StopTimeStamp;
            var stableRun = instance.RunningSince is { } since && time.GetUtcNow() - since >= policy.StableAfter;
            instance.Crashes = stableRun ? 1 : instance.Crashes + 1;
            instance.RunningSince = null;
            _ = RestartAsync(update, instance.Crashes, policy, stopping);
        }
    }

    private async Task RestartAsync(ResourceEvent update, int crashes, RestartPolicy policy, CancellationToken stopping)
    {
        var delay = policy.DelayBefore(crashes);
        var id = update.ResourceId;
        var exit = update.Snapshot.ExitCode is { } code ? $"exit code {code}" : "no exit code";
        try
        {
            if (crashes >= policy.CrashLoopAfter)
            {
                logger.LogError("Resource {Resource} is in a crash loop ({Crashes} crashes in a row, {Exit}); restarting in {Delay:0.#} s",
                    id, crashes, exit, delay.TotalSeconds);
                await notifications.PublishUpdateAsync(update.Resource, id, s => s with
                {
                    State = new ResourceStateSnapshot($"Crash loop: restart {crashes} in {delay.TotalSeconds:0.#} s", KnownResourceStateStyles.Error),
                });
            }
            else
            {
                logger.LogWarning("Resource {Resource} exited by itself ({Exit}); restart {Crashes} in {Delay:0.#} s", id, exit, crashes, delay.TotalSeconds);
            }

            await Task.Delay(delay, time, stopping);
            var result = await commands.ExecuteCommandAsync(id, KnownResourceCommands.StartCommand, stopping);
            if (!result.Success)
            {
                logger.LogError("Resource {Resource} could not be restarted: {Message}", id, result.Message);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Shutting down: nothing is restarted any more.
        }
    }
}
