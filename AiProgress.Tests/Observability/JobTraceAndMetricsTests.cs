using System.Diagnostics;
using System.Net.Http.Json;
using AiProgress.Tests.Api;
using AiProgress.Tests.Infrastructure;
using static AiProgress.Tests.Infrastructure.Eventually;

namespace AiProgress.Tests.Observability;

public class JobTraceAndMetricsTests(ObservedFixture system) : IClassFixture<ObservedFixture>
{
    [Fact]
    public async Task A_job_is_one_trace_from_the_API_through_the_queue_to_the_worker_and_Ollama()
    {
        system.Ollama.Enqueue(OllamaScript.Steady(240, 200));
        var jobId = await system.CreateJobAsync("traced", maxTokens: 240);
        var events = await SseClient.ReadAsync(system.Client, jobId);
        Assert.Equal("complete", events[^1].Type);

        Activity? Find(Func<Activity, bool> match) => system.SpansSnapshot().FirstOrDefault(match);
        Activity? process = null;
        await WaitUntilAsync(() => Task.FromResult((process = Find(s => s.OperationName == "process job" && Tag(s, "aiprogress.job.id") == jobId)) is not null));
        var enqueue = Find(s => s.OperationName.StartsWith("enqueue", StringComparison.Ordinal) && Tag(s, "aiprogress.job.id") == jobId);
        // The create request's span; the scripted Ollama's GET /api/tags (the model check) shares its trace.
        var create = Find(s => s.Source.Name == "Microsoft.AspNetCore" && s.TraceId == enqueue?.TraceId && s.Kind == ActivityKind.Server
            && s.DisplayName.StartsWith("POST /api/v1/ai/generation", StringComparison.Ordinal));
        var chat = Find(s => s.OperationName == $"chat {ObservedFixture.Model}" && s.ParentSpanId == process!.SpanId);

        Assert.NotNull(enqueue);
        Assert.Equal(ActivityKind.Producer, enqueue.Kind);
        Assert.NotNull(create);
        Assert.Equal(create.SpanId, enqueue.ParentSpanId);
        Assert.Equal(enqueue.TraceId, process!.TraceId);
        Assert.Equal(enqueue.SpanId, process.ParentSpanId);
        Assert.Equal(ActivityKind.Consumer, process.Kind);
        Assert.Equal("completed", Tag(process, "aiprogress.job.outcome"));
        Assert.True(int.Parse(Tag(process, "aiprogress.db.progress_writes")!) >= 1);
        Assert.Contains(process.Events, e => e.Name == "job completed");

        Assert.NotNull(chat);
        Assert.Equal(ActivityKind.Client, chat.Kind);
        Assert.Equal(["gen_ai.first_token", "gen_ai.done"], chat.Events.Select(e => e.Name));
        Assert.Equal("ollama", Tag(chat, "gen_ai.provider.name"));
        Assert.Equal("240", Tag(chat, "gen_ai.usage.output_tokens"));
        // One span for the whole stream, not one per token.
        Assert.Single(system.SpansSnapshot(), s => s.TraceId == process.TraceId && s.OperationName.StartsWith("chat", StringComparison.Ordinal));

        var sse = Find(s => s.Source.Name == "Microsoft.AspNetCore" && s.DisplayName.Contains("progress", StringComparison.Ordinal) && Tag(s, "aiprogress.job.id") == jobId);
        Assert.NotNull(sse);
        Assert.Contains(sse.Links, l => l.Context.TraceId == enqueue.TraceId);
    }

    [Fact]
    public async Task The_create_response_gives_the_browser_the_jobs_trace_which_continues_the_browsers_own()
    {
        system.Ollama.Enqueue(OllamaScript.Steady(5, 10));
        // The browser's fetch instrumentation sends traceparent; here the test's HttpClient does, from this activity.
        using var browser = new Activity("browser click") { ActivityTraceFlags = ActivityTraceFlags.Recorded }.SetIdFormat(ActivityIdFormat.W3C).Start();
        var browserTrace = browser.TraceId;
        var response = await system.Client.PostAsJsonAsync("/api/v1/ai/generation", new { prompt = "traced from a browser", max_tokens = 5 });
        browser.Stop();
        var body = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        var traceparent = body.GetProperty("traceparent").GetString()!;
        Assert.Matches("^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$", traceparent);
        Assert.Equal(browserTrace.ToString(), traceparent.Split('-')[1]);
        var jobId = body.GetProperty("job_id").GetString()!;
        Activity? enqueue = null;
        await WaitUntilAsync(() => Task.FromResult((enqueue = system.SpansSnapshot().FirstOrDefault(s =>
            s.OperationName.StartsWith("enqueue", StringComparison.Ordinal) && Tag(s, "aiprogress.job.id") == jobId)) is not null));
        Assert.Equal(browserTrace, enqueue!.TraceId);
        Assert.Equal(traceparent.Split('-')[2], enqueue.ParentSpanId.ToString());
        await system.WaitForTerminalAsync(jobId);
    }

    [Fact]
    public async Task Token_usage_records_the_jobs_real_counts_and_outcome_counters_move_for_each_ending()
    {
        system.Ollama.Enqueue(
            OllamaScript.Steady(77, 500) with { PromptTokens = 321 },
            new OllamaScript { FailWithStatus = 404 },
            OllamaScript.Steady(5000, 50));

        var completed = await system.CreateJobAsync("metrics ok", maxTokens: 100);
        await system.WaitForTerminalAsync(completed);
        var failed = await system.CreateJobAsync("metrics fail", maxTokens: 10);
        await system.WaitForTerminalAsync(failed);
        var cancelled = await system.CreateJobAsync("metrics cancel", maxTokens: 5000);
        await WaitUntilAsync(async () => (await system.ReadRowAsync(cancelled)).CurrentTokens > 2);
        await system.Client.PostAsync($"/api/v1/ai/generation/{cancelled}/cancel", null);
        await system.WaitForTerminalAsync(cancelled);
        await WaitUntilAsync(() => Task.FromResult(Outcomes().Count >= 3));

        var usage = system.ForModel("gen_ai.client.token.usage").ToList();
        Assert.Contains(usage, m => m.Value == 321 && (string?)m.Tags["gen_ai.token.type"] == "input" && (string?)m.Tags["gen_ai.provider.name"] == "ollama");
        Assert.Contains(usage, m => m.Value == 77 && (string?)m.Tags["gen_ai.token.type"] == "output" && (string?)m.Tags["gen_ai.operation.name"] == "chat");
        Assert.Equal(["cancelled", "completed", "failed"], Outcomes().Order());
        Assert.Contains(system.ForModel("gen_ai.client.operation.duration"), m => m.Value > 0);
        Assert.Contains(system.ForModel("gen_ai.server.time_to_first_token"), m => m.Value > 0);
        Assert.Equal(3, system.ForModel("aiprogress.jobs.created").Count());
    }

    private List<string> Outcomes() => system.ForModel("aiprogress.jobs.ended").Select(m => (string)m.Tags["outcome"]!).ToList();

    private static string? Tag(Activity activity, string name) => activity.GetTagItem(name)?.ToString();
}
