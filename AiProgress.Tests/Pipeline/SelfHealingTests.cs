using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using AiProgress.Tests.Infrastructure;
using StackExchange.Redis;
using static AiProgress.Tests.Infrastructure.Eventually;

namespace AiProgress.Tests.Pipeline;

/// <summary>
/// Real processes killed with SIGKILL mid-run: every job still ends in a true terminal state, none is lost or
/// completed twice, no text is doubled or dropped, and the watchers are told while it happens.
/// </summary>
public class SelfHealingTests(SelfHealingFixture system) : IClassFixture<SelfHealingFixture>
{
    [Fact]
    public async Task Killing_one_of_two_workers_mid_run_still_completes_all_fifty_jobs_and_its_watchers_hear_why()
    {
        const int jobs = 50, tokens = 60;
        system.Ollama.DefaultScript = OllamaScript.Steady(tokens, 30);
        var settings = WorkerSettings(("Worker:MaxConcurrentJobs", "8"), ("Worker:StallTimeout", "00:00:30"));
        await using var doomed = ServiceProcess.StartWorker(With(settings, ("Worker:ConsumerName", "doomed")));
        await using var survivor = ServiceProcess.StartWorker(With(settings, ("Worker:ConsumerName", "survivor")));
        var ids = new List<string>();
        for (var i = 0; i < jobs; i++) ids.Add(await system.CreateJobAsync($"job {i}", maxTokens: tokens));
        var watchers = ids.ToDictionary(id => id, id => Task.Run(() => Api.SseClient.ReadAsync(system.Client, id, timeout: TimeSpan.FromMinutes(2))));
        var redis = system.RedisConnection.GetDatabase();
        await WaitUntilAsync(async () => (await OwnedByAsync(redis, ids, "doomed")).Count >= 4);

        var victims = await OwnedByAsync(redis, ids, "doomed");
        var killedAt = Stopwatch.GetTimestamp();
        await doomed.KillAsync();
        var statuses = new Dictionary<string, JsonElement>();
        foreach (var id in ids) statuses[id] = await system.WaitForTerminalAsync(id, TimeSpan.FromMinutes(2));
        var settled = Stopwatch.GetElapsedTime(killedAt);

        Assert.All(statuses.Values, s => Assert.True(s.GetProperty("status").GetString() == "completed", s.ToString()));
        Assert.All(statuses.Values, s => Assert.Equal(tokens, s.GetProperty("completion_tokens").GetInt32()));
        var events = new Dictionary<string, List<ReceivedEvent>>();
        foreach (var (id, watcher) in watchers) events[id] = await watcher;
        foreach (var id in ids)
        {
            // What the watcher was shown joins up exactly into the stored text: nothing doubled, nothing lost.
            Assert.Equal(statuses[id].GetProperty("text").GetString(), Api.SseClient.JoinText(events[id]));
            Assert.Equal("complete", events[id][^1].Type);
        }

        var stalledAt = victims.Select(id => FirstAfter(events[id], killedAt, e => e.Data.TryGetProperty("stalled_reason", out var r) && r.GetString() == "worker_lost")).ToList();
        var resumedAt = victims.Select(id => FirstAfter(events[id], killedAt, e => e.Type == "text")).ToList();
        Assert.All(stalledAt, s => Assert.True(s is not null && s < TimeSpan.FromSeconds(5), $"a victim's watcher was told 'worker_lost' after {s}"));
        Assert.All(resumedAt, r => Assert.True(r is not null && r < TimeSpan.FromSeconds(10), $"a victim moved again after {r}"));
        FaultFigures.Record($"worker SIGKILL, {jobs} jobs on 2 workers ({victims.Count} on the killed one)",
            ("stalled told after (max)", stalledAt.Max()), ("moving again after (max)", resumedAt.Max()), ("all settled after", settled));
    }

    [Fact]
    public async Task Killing_the_real_LLM_server_pauses_the_jobs_and_all_complete_once_it_is_back()
    {
        const int jobs = 6, tokens = 120;
        var port = FreePort.Next();
        var serverSettings = new Dictionary<string, string?>
        {
            ["LocalOllama:Models:0:Name"] = "stories260K",
            ["LocalOllama:Models:0:Path"] = RepositoryPaths.ModelPath,
            ["LocalOllama:NumParallel"] = "4",
            ["LocalOllama:MaxTokensPerSecond"] = "40",
        };
        var llm = ServiceProcess.StartLocalOllama(serverSettings, port);
        await llm.WaitForPortAsync(port, TimeSpan.FromSeconds(60));
        var settings = With(WorkerSettings(("Ollama:Endpoint", $"http://127.0.0.1:{port}")), ("Worker:LlmRetryInterval", "00:00:00.500"));
        await using var worker = ServiceProcess.StartWorker(settings);
        var ids = new List<string>();
        for (var i = 0; i < jobs; i++) ids.Add(await system.CreateJobAsync("Once upon a time", maxTokens: tokens, model: "stories260K"));
        var watchers = ids.ToDictionary(id => id, id => Task.Run(() => Api.SseClient.ReadAsync(system.Client, id, timeout: TimeSpan.FromMinutes(2))));
        await WaitUntilAsync(async () => (await system.ReadRowAsync(ids[0])).CurrentTokens >= 10);

        var killedAt = Stopwatch.GetTimestamp();
        await llm.KillAsync();
        await Task.Delay(TimeSpan.FromSeconds(4));
        await using var restarted = ServiceProcess.StartLocalOllama(serverSettings, port);
        var restartedAt = Stopwatch.GetElapsedTime(killedAt);
        var statuses = new List<JsonElement>();
        foreach (var id in ids) statuses.Add(await system.WaitForTerminalAsync(id, TimeSpan.FromMinutes(2)));
        var settled = Stopwatch.GetElapsedTime(killedAt);

        Assert.All(statuses, s => Assert.True(s.GetProperty("status").GetString() == "completed", s.ToString()));
        var rows = new List<AiProgress.Jobs.Data.GenerationJob>();
        foreach (var id in ids) rows.Add(await system.ReadRowAsync(id));
        Assert.Contains(rows, r => r.OutageHandbacks > 0);
        Assert.All(rows, r => Assert.True(r.Attempt - r.OutageHandbacks <= 1, $"attempts burned by the outage: {r.Attempt} - {r.OutageHandbacks}"));
        var events = new List<List<ReceivedEvent>>();
        foreach (var watcher in watchers.Values) events.Add(await watcher);
        var told = events.Select(e => FirstAfter(e, killedAt, x => x.Data.TryGetProperty("stalled_reason", out var r) && r.GetString() == "llm_unavailable")).ToList();
        Assert.Contains(told, t => t is not null);
        FaultFigures.Record($"LLM server SIGKILL, down 4 s, {jobs} jobs", ("'llm_unavailable' told after (first)", told.Where(t => t is not null).Min()),
            ("server back after", restartedAt), ("all settled after", settled));
    }

    [Fact]
    public async Task Killing_redis_loses_no_queued_job()
    {
        const int jobs = 20;
        system.Ollama.DefaultScript = OllamaScript.Steady(20, 100);
        var ids = new List<string>();
        for (var i = 0; i < jobs; i++) ids.Add(await system.CreateJobAsync($"queued {i}", maxTokens: 20));

        var killedAt = Stopwatch.GetTimestamp();
        await system.Redis.KillAsync();
        await Task.Delay(1000);
        await system.Redis.StartAsync();
        var restartedAfter = Stopwatch.GetElapsedTime(killedAt);
        await using var worker = await system.StartWorkerAsync();
        foreach (var id in ids)
        {
            var status = await system.WaitForTerminalAsync(id, TimeSpan.FromMinutes(1));
            Assert.True(status.GetProperty("status").GetString() == "completed", status.ToString());
        }

        FaultFigures.Record($"redis-server SIGKILL with {jobs} queued jobs", ("restarted after", restartedAfter),
            ("all settled after", Stopwatch.GetElapsedTime(killedAt)));
    }

    private Dictionary<string, string?> WorkerSettings(params (string Key, string Value)[] overrides) => With(system.WorkerConfiguration(), overrides);

    private static Dictionary<string, string?> With(Dictionary<string, string?> settings, params (string Key, string Value)[] overrides)
    {
        var copy = new Dictionary<string, string?>(settings);
        foreach (var (key, value) in overrides) copy[key] = value;
        return copy;
    }

    private static async Task<List<string>> OwnedByAsync(IDatabase redis, IEnumerable<string> ids, string worker)
    {
        var owned = new List<string>();
        foreach (var id in ids)
        {
            if ((string?)await redis.HashGetAsync(Jobs.RedisKeys.JobRun(id), "worker") == worker
                && (await redis.StreamLengthAsync(Jobs.RedisKeys.JobEvents(id))) > 0)
            {
                owned.Add(id);
            }
        }

        return owned;
    }

    /// <summary>How long after <paramref name="since"/> (a Stopwatch timestamp) the first matching event arrived.</summary>
    private static TimeSpan? FirstAfter(List<ReceivedEvent> events, long since, Func<ReceivedEvent, bool> match)
    {
        var sinceMicros = MicroClock.NowMicros - (long)Stopwatch.GetElapsedTime(since).TotalMicroseconds;
        var hit = events.FirstOrDefault(e => e.ReceivedMicros >= sinceMicros && match(e));
        return hit is null ? null : TimeSpan.FromMicroseconds(hit.ReceivedMicros - sinceMicros);
    }
}
