using System.Collections.Concurrent;
using AiProgress.Tests.Infrastructure;
using static AiProgress.Tests.Infrastructure.Eventually;

namespace AiProgress.Tests.Pipeline;

/// <summary>Workers dying, stopping, and servers restarting: every job still ends in a true terminal state.</summary>
public class FaultToleranceTests(WorkerlessFixture system) : IClassFixture<WorkerlessFixture>
{
    [Fact]
    public async Task A_job_whose_worker_is_killed_is_claimed_by_another_and_continues_from_what_watchers_saw()
    {
        system.Ollama.Enqueue(OllamaScript.Steady(300, 40), new OllamaScript { Tokens = 20, Interval = TimeSpan.FromMilliseconds(2) });
        await using var doomed = ServiceProcess.StartWorker(system.WorkerConfiguration());
        var jobId = await system.CreateJobAsync("killed mid-job", maxTokens: 300);
        await WaitUntilAsync(async () => (await system.ReadRowAsync(jobId)).CurrentTokens >= 20);

        await doomed.KillAsync();
        // What a status reader and what an SSE watcher had been shown when the worker died.
        var rowBeforeKill = (await system.GetStatusAsync(jobId)).GetProperty("text").GetString()!;
        var streamBeforeKill = Api.SseClient.JoinText(await Api.SseClient.ReadAsync(system.Client, jobId, stopAfter: e => e.Type == "progress"));
        await using var rescuer = await system.StartWorkerAsync();
        var watched = await Api.SseClient.ReadAsync(system.Client, jobId);
        var status = await system.WaitForTerminalAsync(jobId);

        Assert.True(status.GetProperty("status").GetString() == "completed", status.ToString());
        var text = status.GetProperty("text").GetString()!;
        Assert.StartsWith(rowBeforeKill, text);
        Assert.StartsWith(streamBeforeKill, text);
        Assert.Equal(text, Api.SseClient.JoinText(watched));
        Assert.EndsWith(string.Concat(Enumerable.Range(0, 20).Select(OllamaScript.Piece)), text);
        var row = await system.ReadRowAsync(jobId);
        Assert.Equal(2, row.Attempt);
        var takeOver = system.Ollama.ChatRequests.Last(r => r.ToJsonString().Contains("killed mid-job"));
        Assert.Equal("assistant", takeOver["messages"]!.AsArray()[^1]!["role"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_job_whose_workers_keep_dying_ends_failed_after_the_last_allowed_attempt()
    {
        system.Ollama.Enqueue(OllamaScript.Steady(300, 40));
        await using var doomed = ServiceProcess.StartWorker(system.WorkerConfiguration());
        var jobId = await system.CreateJobAsync("dies every time", maxTokens: 300);
        await WaitUntilAsync(async () => (await system.ReadRowAsync(jobId)).CurrentTokens >= 5);

        await doomed.KillAsync();
        await using var strict = await system.StartWorkerAsync(("Worker:MaxAttempts", "1"));
        var status = await system.WaitForTerminalAsync(jobId);

        Assert.Equal("failed", status.GetProperty("status").GetString());
        Assert.Contains("Gave up after 1 attempts", status.GetProperty("error_message").GetString());
        await WaitUntilAsync(async () => await system.RedisConnection.GetDatabase().StreamLengthAsync(Jobs.RedisKeys.Queue) == 0);
    }

    [Fact]
    public async Task A_worker_that_shuts_down_hands_its_jobs_back_instead_of_failing_them()
    {
        system.Ollama.Enqueue(OllamaScript.Steady(400, 40), new OllamaScript { Tokens = 5 });
        var leaving = await system.StartWorkerAsync();
        var jobId = await system.CreateJobAsync("handed back", maxTokens: 400);
        await WaitUntilAsync(async () => (await system.ReadRowAsync(jobId)).CurrentTokens >= 10);

        await leaving.DisposeAsync();
        var afterShutdown = await system.ReadRowAsync(jobId);
        await using var next = await system.StartWorkerAsync();
        var status = await system.WaitForTerminalAsync(jobId);

        Assert.Equal("processing", afterShutdown.Status);
        Assert.Equal("completed", status.GetProperty("status").GetString());
        Assert.Equal(2, (await system.ReadRowAsync(jobId)).Attempt);
    }

    [Fact]
    public async Task A_hundred_jobs_on_four_slots_all_complete_and_never_more_than_four_run_at_once()
    {
        system.Ollama.DefaultScript = new OllamaScript { Tokens = 8, Interval = TimeSpan.FromMilliseconds(10) };
        var peak = 0;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                peak = Math.Max(peak, system.Ollama.ActiveStreams);
                await Task.Delay(2);
            }
        });
        await using var worker = await system.StartWorkerAsync();

        var ids = new ConcurrentBag<string>();
        await Parallel.ForEachAsync(Enumerable.Range(0, 100), new ParallelOptions { MaxDegreeOfParallelism = 8 },
            async (i, _) => ids.Add(await system.CreateJobAsync($"bulk {i}", maxTokens: 8)));
        var statuses = new List<string>();
        foreach (var id in ids)
        {
            statuses.Add((await system.WaitForTerminalAsync(id, TimeSpan.FromMinutes(3))).GetProperty("status").GetString()!);
        }

        await sampling.CancelAsync();
        await sampler;
        Assert.Equal(100, ids.Distinct().Count());
        Assert.All(statuses, s => Assert.Equal("completed", s));
        Assert.InRange(peak, 2, 4);
        system.Ollama.DefaultScript = new OllamaScript();
    }

    [Fact]
    public async Task MySQL_down_for_ten_seconds_does_not_stop_generation_the_API_answers_503_and_the_row_catches_up()
    {
        system.Ollama.Enqueue(OllamaScript.Steady(160, 40));
        await using var worker = await system.StartWorkerAsync();
        var jobId = await system.CreateJobAsync("mysql restart", maxTokens: 160);
        await WaitUntilAsync(async () => (await system.ReadRowAsync(jobId)).CurrentTokens >= 10);

        HttpResponseMessage? whileDown = null;
        await system.MariaDb.RestartAsync(downtime: TimeSpan.FromSeconds(10), whileDown: async () =>
        {
            await Task.Delay(500);
            whileDown = await system.Client.GetAsync($"/api/v1/ai/generation/{jobId}/status");
        });
        var status = await system.WaitForTerminalAsync(jobId);

        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, whileDown!.StatusCode);
        Assert.Equal("application/problem+json", whileDown.Content.Headers.ContentType?.MediaType);
        Assert.NotNull(whileDown.Headers.RetryAfter);
        Assert.DoesNotContain("127.0.0.1", await whileDown.Content.ReadAsStringAsync());
        Assert.True(status.GetProperty("status").GetString() == "completed", status.ToString());
        Assert.Equal(160, status.GetProperty("completion_tokens").GetInt32());
        Assert.Equal(string.Concat(Enumerable.Range(0, 160).Select(OllamaScript.Piece)), status.GetProperty("text").GetString());
    }

    [Fact]
    public async Task Redis_restarting_mid_job_still_ends_the_job_completed()
    {
        system.Ollama.Enqueue(OllamaScript.Steady(160, 40));
        await using var worker = await system.StartWorkerAsync();
        var jobId = await system.CreateJobAsync("redis restart", maxTokens: 160);
        await WaitUntilAsync(async () => (await system.ReadRowAsync(jobId)).CurrentTokens >= 10);

        await system.Redis.KillAsync();
        await Task.Delay(1500);
        await system.Redis.StartAsync();
        var status = await system.WaitForTerminalAsync(jobId);

        Assert.True(status.GetProperty("status").GetString() == "completed", status.ToString());
        Assert.Equal(160, status.GetProperty("completion_tokens").GetInt32());
        // A delivery Redis forgot in the restart is adopted by the run, not started over as a second attempt.
        Assert.Equal(1, (await system.ReadRowAsync(jobId)).Attempt);
    }
}
