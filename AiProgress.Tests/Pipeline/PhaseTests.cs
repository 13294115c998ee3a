using System.Text.Json;
using AiProgress.Tests.Infrastructure;

namespace AiProgress.Tests.Pipeline;

/// <summary>The contract's phases: queued (with a measured expected start), reading the prompt, generating.</summary>
public class PhaseTests(ApiOnlyFixture system) : IClassFixture<ApiOnlyFixture>
{
    [Fact]
    public async Task A_queued_job_says_when_it_should_start_from_how_fast_the_queue_drains()
    {
        system.Ollama.DefaultScript = OllamaScript.Steady(10, 20);
        await using var worker = await system.StartWorkerAsync(("Worker:MaxConcurrentJobs", "1"));
        var ids = new List<string>();
        for (var i = 0; i < 8; i++) ids.Add(await system.CreateJobAsync($"in line {i}", maxTokens: 10));
        await system.WaitForTerminalAsync(ids[2]);
        JsonElement last = default;
        await Eventually.TrueAsync(async () => (last = await system.GetStatusAsync(ids[^1])).TryGetProperty("estimated_start", out _),
            () => $"no estimated_start: {last}", TimeSpan.FromSeconds(5));

        var stream = await Api.SseClient.ReadAsync(system.Client, ids[^1], stopAfter: _ => true);

        Assert.Equal(("queued", "queued"), (last.GetProperty("status").GetString(), last.GetProperty("phase").GetString()));
        var position = last.GetProperty("queue_position").GetInt32();
        var estimatedStart = last.GetProperty("estimated_start").GetInt64();
        // Each job takes about half a second here, one at a time.
        Assert.InRange(estimatedStart, position * 200L, position * 1500L);
        Assert.Equal("queued", stream[0].Data.GetProperty("phase").GetString());
        Assert.True(stream[0].Data.GetProperty("estimated_start").GetInt64() > 0);
        foreach (var id in ids) await system.WaitForTerminalAsync(id);
        system.Ollama.DefaultScript = new OllamaScript();
    }

    [Fact]
    public async Task Before_the_first_token_the_phase_is_reading_the_prompt_then_generating()
    {
        system.Ollama.Enqueue(new OllamaScript { Tokens = 20, Interval = TimeSpan.FromMilliseconds(50), FirstTokenDelay = TimeSpan.FromSeconds(1.5) });
        await using var worker = await system.StartWorkerAsync();
        var jobId = await system.CreateJobAsync("a long prompt", maxTokens: 20);

        var events = await Api.SseClient.ReadAsync(system.Client, jobId);

        var phases = events.Where(e => e.Type == "progress" && e.Data.GetProperty("status").GetString() == "processing")
            .Select(e => e.Data.GetProperty("phase").GetString()).ToList();
        Assert.Equal("reading_prompt", phases[0]);
        Assert.Contains("generating", phases);
        Assert.Equal(phases.IndexOf("generating"), phases.LastIndexOf("reading_prompt") + 1);
    }
}
