using System.Net;
using AiProgress.Tests.Infrastructure;
using static AiProgress.Tests.Infrastructure.Eventually;

namespace AiProgress.Tests.Api;

/// <summary>The SSE endpoint, read with a real HTTP client and SseParser against the real worker and Redis.</summary>
public class LiveProgressStreamTests(PipelineFixture system) : IClassFixture<PipelineFixture>
{
    private static readonly string[] Terminal = ["complete", "error"];

    [Fact]
    public async Task The_stream_tells_the_whole_story_in_order_and_closes_after_complete()
    {
        system.Ollama.Enqueue(OllamaScript.Steady(60, 60) with { FirstTokenDelay = TimeSpan.FromMilliseconds(300) });
        var jobId = await system.CreateJobAsync(maxTokens: 60);

        var events = await SseClient.ReadAsync(system.Client, jobId);

        Assert.True(events[0].At < TimeSpan.FromSeconds(1), $"first event after {events[0].At}");
        Assert.Equal(TimeSpan.FromSeconds(2), events[0].Retry);
        Assert.Equal("progress", events[0].Type);
        Assert.Equal("complete", events[^1].Type);
        Assert.DoesNotContain(events[..^1], e => Terminal.Contains(e.Type));
        Assert.All(events, e => Assert.False(string.IsNullOrEmpty(e.Id)));
        Assert.All(events.Zip(events.Skip(1)), pair => Assert.True(SseClient.IsAfter(pair.Second.Id!, pair.First.Id!), $"{pair.Second.Id} after {pair.First.Id}"));

        var progress = events.Where(e => e.Type == "progress").ToList();
        Assert.True(progress.Count >= 3, $"{progress.Count} progress events for a one-second job");
        Assert.All(progress, e => Assert.True(e.RawData.Length < 1024));
        var percentages = progress.Select(e => e.Data.GetProperty("progress").GetInt32()).ToList();
        Assert.Equal(percentages.Order(), percentages);
        Assert.All(percentages, p => Assert.InRange(p, 0, 99));
        var tokens = progress.Select(e => e.Data.GetProperty("current_tokens").GetInt32()).ToList();
        Assert.Equal(tokens.Order(), tokens);
        Assert.All(progress, e => Assert.True(e.Data.GetProperty("timestamp").GetInt64() > 1_700_000_000));
        Assert.Contains(progress, e => e.Data.GetProperty("tokens_per_second").GetDouble() > 0);

        var complete = events[^1].Data;
        Assert.Equal("completed", complete.GetProperty("status").GetString());
        Assert.Equal(60, complete.GetProperty("completion_tokens").GetInt32());
        Assert.Equal(67, complete.GetProperty("total_tokens").GetInt32());
        var status = await system.GetStatusAsync(jobId);
        Assert.Equal(status.GetProperty("text").GetString(), SseClient.JoinText(events));
    }

    [Fact]
    public async Task Reconnecting_with_Last_Event_ID_loses_nothing_and_repeats_nothing()
    {
        system.Ollama.Enqueue(OllamaScript.Steady(80, 40));
        var jobId = await system.CreateJobAsync(maxTokens: 80);

        var textEvents = 0;
        var first = await SseClient.ReadAsync(system.Client, jobId, stopAfter: e => e.Type == "text" && ++textEvents == 2);
        await Task.Delay(700);
        var second = await SseClient.ReadAsync(system.Client, jobId, lastEventId: first[^1].Id);

        Assert.True(SseClient.IsAfter(second[0].Id!, first[^1].Id!), "the resumed stream starts after the last id seen");
        var text = SseClient.JoinText(second, SseClient.JoinText(first));
        Assert.Equal((await system.GetStatusAsync(jobId)).GetProperty("text").GetString(), text);
        Assert.Equal("complete", second[^1].Type);
    }

    [Fact]
    public async Task A_terminal_job_streams_its_terminal_event_at_once_and_closes()
    {
        system.Ollama.Enqueue(OllamaScript.Steady(10, 500));
        var jobId = await system.CreateJobAsync(maxTokens: 10);
        await system.WaitForTerminalAsync(jobId);

        var events = await SseClient.ReadAsync(system.Client, jobId, timeout: TimeSpan.FromSeconds(5));

        Assert.Equal(["text", "complete"], events.Select(e => e.Type));
        var terminal = events[^1];
        Assert.Equal((await system.GetStatusAsync(jobId)).GetProperty("text").GetString(), SseClient.JoinText(events));
        Assert.Equal(10, terminal.Data.GetProperty("completion_tokens").GetInt32());
    }

    [Fact]
    public async Task Cancelling_mid_stream_ends_the_stream_with_a_cancelled_error_event()
    {
        system.Ollama.Enqueue(OllamaScript.Steady(1000, 40));
        var jobId = await system.CreateJobAsync(maxTokens: 1000);
        var reading = SseClient.ReadAsync(system.Client, jobId);
        await WaitUntilAsync(async () => (await system.ReadRowAsync(jobId)).CurrentTokens > 3);

        var cancel = await system.Client.PostAsync($"/api/v1/ai/generation/{jobId}/cancel", null);
        var events = await reading;

        Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        Assert.Equal("error", events[^1].Type);
        Assert.Equal("cancelled", events[^1].Data.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Two_API_replicas_serve_the_same_job_live()
    {
        await using var replica = ApiServer.Start(system.ApiConfiguration());
        // One browser (one identity cookie) whose requests a load balancer spreads over two replicas.
        using var onReplicaA = new HttpClient { BaseAddress = system.Api.BaseAddress };
        using var onReplicaB = new HttpClient { BaseAddress = replica.BaseAddress };
        var cookie = (await onReplicaA.GetAsync("/api/v1/ai/generation")).Headers.GetValues("Set-Cookie").First().Split(';')[0];
        onReplicaA.DefaultRequestHeaders.Add("Cookie", cookie);
        onReplicaB.DefaultRequestHeaders.Add("Cookie", cookie);
        system.Ollama.Enqueue(OllamaScript.Steady(60, 60));
        var jobId = await system.CreateJobAsync(maxTokens: 60, client: onReplicaA);

        var onA = SseClient.ReadAsync(onReplicaA, jobId);
        var onB = SseClient.ReadAsync(onReplicaB, jobId);
        var (a, b) = (await onA, await onB);

        Assert.Equal("complete", a[^1].Type);
        Assert.Equal("complete", b[^1].Type);
        Assert.Equal(SseClient.JoinText(a), SseClient.JoinText(b));
        Assert.Equal(a[^1].Id, b[^1].Id);
        Assert.True(b.Count(e => e.Type == "progress") >= 2, "replica B got live progress, not just the end");
    }

    [Fact]
    public async Task Another_clients_job_is_not_found_and_a_malformed_id_is_a_bad_request()
    {
        system.Ollama.Enqueue(OllamaScript.Steady(5, 500));
        var jobId = await system.CreateJobAsync(maxTokens: 5);
        using var stranger = system.Api.CreateBrowserClient();

        Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync($"/api/v1/ai/generation/{jobId}/status")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await SseClient.OpenAsync(stranger, jobId)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.PostAsync($"/api/v1/ai/generation/{jobId}/cancel", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await system.Client.GetAsync($"/api/v1/ai/generation/{Guid.NewGuid()}/status")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await system.Client.GetAsync("/api/v1/ai/generation/not-a-job/status")).StatusCode);
    }

    [Fact]
    public async Task The_list_shows_this_clients_jobs_newest_first_with_filters()
    {
        system.Ollama.Enqueue(OllamaScript.Steady(3, 500), OllamaScript.Steady(3, 500));
        var older = await system.CreateJobAsync("list one", maxTokens: 3);
        var newer = await system.CreateJobAsync("list two", maxTokens: 3);
        await system.WaitForTerminalAsync(older);
        await system.WaitForTerminalAsync(newer);

        var list = System.Text.Json.JsonDocument.Parse(await system.Client.GetStringAsync("/api/v1/ai/generation?status=completed&limit=2")).RootElement;
        var items = list.GetProperty("items").EnumerateArray().ToList();

        Assert.Equal(2, items.Count);
        Assert.Equal(newer, items[0].GetProperty("job_id").GetString());
        Assert.Equal(older, items[1].GetProperty("job_id").GetString());
        Assert.All(items, i => Assert.False(i.TryGetProperty("text", out _)));
    }

    [Fact]
    public async Task Models_come_from_the_LLM_server_and_the_OpenAPI_document_is_served()
    {
        var models = System.Text.Json.JsonDocument.Parse(await system.Client.GetStringAsync("/api/v1/ai/models")).RootElement;
        var openApi = System.Text.Json.JsonDocument.Parse(await system.Client.GetStringAsync("/openapi/v1.json")).RootElement;

        Assert.Equal(ScriptedOllama.ModelName, models.GetProperty("default_model").GetString());
        Assert.Contains(models.GetProperty("models").EnumerateArray(), m => m.GetProperty("name").GetString() == ScriptedOllama.ModelName);
        Assert.True(openApi.GetProperty("paths").TryGetProperty("/api/v1/ai/generation/{jobId}/progress", out _));
    }
}
