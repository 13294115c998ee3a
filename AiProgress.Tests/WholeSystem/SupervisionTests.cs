using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using AiProgress.Tests.Infrastructure;

namespace AiProgress.Tests.WholeSystem;

/// <summary>In the system the README starts, a process that dies is brought back by the AppHost, and no job is lost.</summary>
[Collection(AspireSystemCollection.Name)]
public class SupervisionTests(AspireSystemFixture system)
{
    [Fact]
    public async Task A_worker_killed_with_SIGKILL_is_restarted_by_the_AppHost_and_every_job_completes()
    {
        using var client = system.CreateApiClient();
        var ids = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            var created = await client.PostAsJsonAsync("/api/v1/ai/generation", new { prompt = "Once upon a time", max_tokens = 120 });
            ids.Add(JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("job_id").GetString()!);
        }

        var replicas = await ReplicasAsync("worker");
        Assert.Equal(2, replicas.Count);
        var replica = replicas[0];
        var before = ProcessId(replica);
        // The project runs under `dotnet run`; the service itself is its child, and that is what crashes.
        var service = ChildOf(before);
        var killedAt = Stopwatch.GetTimestamp();
        Process.GetProcessById(service).Kill();

        await Eventually.TrueAsync(() => ProcessIdOrNull(replica) is { } now && now != before && IsRunning(replica),
            () => $"replica {replica} was not restarted", TimeSpan.FromSeconds(20));
        var restartedAfter = Stopwatch.GetElapsedTime(killedAt);
        foreach (var id in ids)
        {
            JsonElement status;
            var deadline = DateTime.UtcNow.AddSeconds(90);
            do
            {
                await Task.Delay(250);
                status = JsonDocument.Parse(await client.GetStringAsync($"/api/v1/ai/generation/{id}/status")).RootElement;
            }
            while (status.GetProperty("status").GetString() is "queued" or "processing" && DateTime.UtcNow < deadline);

            Assert.Equal("completed", status.GetProperty("status").GetString());
        }

        Assert.True(restartedAfter < TimeSpan.FromSeconds(10), $"restarted after {restartedAfter}");
        FaultFigures.Record("AppHost: worker replica SIGKILL", ("restarted and running after", restartedAfter),
            ("6 jobs settled after", Stopwatch.GetElapsedTime(killedAt)));
    }

    [Fact]
    public async Task A_replica_stopped_from_the_dashboard_stays_stopped()
    {
        var replica = (await ReplicasAsync("worker"))[^1];
        var commands = system.App.Services.GetService(typeof(ResourceCommandService)) as ResourceCommandService;

        // (The command may report a failure when DCP had to escalate to SIGKILL; what matters is that it went down.)
        await commands!.ExecuteCommandAsync(replica, KnownResourceCommands.StopCommand);
        await Eventually.TrueAsync(() => !IsUp(replica), () => $"{replica} is {State(replica)}", TimeSpan.FromSeconds(30));
        await Task.Delay(TimeSpan.FromSeconds(4));
        var upAfterWaiting = IsUp(replica);
        var stateAfterWaiting = State(replica);
        await commands.ExecuteCommandAsync(replica, KnownResourceCommands.StartCommand);
        await Eventually.TrueAsync(() => IsRunning(replica), () => $"{replica} did not start again", TimeSpan.FromSeconds(30));

        Assert.False(upAfterWaiting, $"a stopped replica was {stateAfterWaiting}");
    }

    private bool IsUp(string resourceId) => State(resourceId) is "Running" or "Starting" or "Stopping" or "Waiting";

    private string? State(string resourceId) =>
        system.App.ResourceNotifications.TryGetCurrentState(resourceId, out var current) ? current.Snapshot.State?.Text : null;

    /// <summary>The ids of a resource's replicas, from the states the AppHost reports (it replays the current ones first).</summary>
    private async Task<List<string>> ReplicasAsync(string resource)
    {
        var ids = new HashSet<string>();
        using var enough = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            await foreach (var update in system.App.ResourceNotifications.WatchAsync(enough.Token))
            {
                if (update.Resource.Name == resource) ids.Add(update.ResourceId);
            }
        }
        catch (OperationCanceledException)
        {
        }

        return ids.Order().ToList();
    }

    private int ProcessId(string resourceId) => ProcessIdOrNull(resourceId) ?? throw new InvalidOperationException($"{resourceId} has no process id");

    private int? ProcessIdOrNull(string resourceId) =>
        system.App.ResourceNotifications.TryGetCurrentState(resourceId, out var current)
        && current.Snapshot.Properties.FirstOrDefault(p => p.Name == "executable.pid")?.Value is { } pid
        && int.TryParse(pid.ToString(), out var id) ? id : null;

    private bool IsRunning(string resourceId) =>
        system.App.ResourceNotifications.TryGetCurrentState(resourceId, out var current) && current.Snapshot.State?.Text == KnownResourceStates.Running;

    private static int ChildOf(int parent) => Directory.GetDirectories("/proc")
        .Select(d => int.TryParse(Path.GetFileName(d), out var pid) ? pid : 0)
        .Where(pid => pid > 0)
        .FirstOrDefault(pid => ParentOf(pid) == parent) is var child and > 0 ? child : parent;

    private static int ParentOf(int pid)
    {
        try
        {
            // /proc/<pid>/stat: "pid (name) state ppid ..."; the name may hold spaces, so read after its ')'.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1]);
        }
        catch (Exception ex) when (ex is IOException or FormatException or UnauthorizedAccessException)
        {
            return 0;
        }
    }
}
