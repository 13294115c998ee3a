using static AiProgress.Tests.Infrastructure.Eventually;
using System.Collections.Concurrent;
using System.Diagnostics;
using AiProgress.Jobs;
using AiProgress.Tests.Api;
using AiProgress.Tests.Infrastructure;
using AiProgress.Worker.Jobs;
using Microsoft.Extensions.DependencyInjection;

namespace AiProgress.Tests.Pipeline;

/// <summary>The seed's flow against real Redis and MariaDB, with Ollama's behaviour scripted exactly.</summary>
public class JobPipelineTests(PipelineFixture system) : IClassFixture<PipelineFixture>
{
    private static string Pieces(int from, int count) => string.Concat(Enumerable.Range(from, count).Select(OllamaScript.Piece));

    [Fact]
    public async Task A_job_streams_through_queue_worker_and_database_to_completed()
    {
        system.Ollama.Enqueue(OllamaScript.Steady(tokens: 30, tokensPerSecond: 200));

        var jobId = await system.CreateJobAsync(maxTokens: 100);
        var status = await system.WaitForTerminalAsync(jobId);

        Assert.True(status.GetProperty("status").GetString() == "completed", status.ToString());
        Assert.Equal(Pieces(0, 30), status.GetProperty("text").GetString());
        Assert.Equal(30, status.GetProperty("completion_tokens").GetInt32());
        Assert.Equal(7, status.GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(37, status.GetProperty("total_tokens").GetInt32());
        Assert.Equal(100, status.GetProperty("progress_percentage").GetDouble());
        Assert.Equal(0, status.GetProperty("estimated_time_remaining").GetInt64());
    }

    [Fact]
    public async Task Max_tokens_is_sent_as_num_predict_and_ends_the_job_there()
    {
        system.Ollama.Enqueue(OllamaScript.Steady(tokens: 500, tokensPerSecond: 1000));

        var jobId = await system.CreateJobAsync(prompt: "num_predict probe", maxTokens: 12);
        var status = await system.WaitForTerminalAsync(jobId);

        Assert.Equal("completed", status.GetProperty("status").GetString());
        Assert.Equal(12, status.GetProperty("completion_tokens").GetInt32());
        var request = system.Ollama.ChatRequests.Last(r => r.ToJsonString().Contains("num_predict probe"));
        Assert.Equal(12, request["options"]!["num_predict"]!.GetValue<int>());
    }

    [Fact]
    public async Task Progress_rows_are_written_at_most_twice_a_second_and_first_within_one_second()
    {
        var rows = system.Worker!.Services.GetRequiredService<ProgressRows>();
        var writes = new ConcurrentQueue<(string JobId, DateTime At, long Slot)>();
        rows.Written += (id, slot) => writes.Enqueue((id, DateTime.UtcNow, slot));
        // 1.5 s reading the prompt, then 60 tokens at 30/s: about 3.5 s of processing.
        system.Ollama.Enqueue(OllamaScript.Steady(60, 30) with { FirstTokenDelay = TimeSpan.FromMilliseconds(1500) });

        var jobId = await system.CreateJobAsync(maxTokens: 60);
        var status = await system.WaitForTerminalAsync(jobId);
        var row = await system.ReadRowAsync(jobId);

        Assert.Equal("completed", status.GetProperty("status").GetString());
        var mine = writes.Where(w => w.JobId == jobId).Select(w => w.At).ToList();
        var slots = writes.Where(w => w.JobId == jobId).Select(w => w.Slot).ToList();
        Assert.True(mine.Count >= 4, $"only {mine.Count} progress writes in a 3.5 s job");
        var processing = row.CompletedAt!.Value - row.StartedAt!.Value;
        Assert.True(mine[0] - row.StartedAt.Value < TimeSpan.FromSeconds(1), $"first progress write {(mine[0] - row.StartedAt.Value).TotalMilliseconds} ms after the start");
        // Writes are decided every 0.5 s: each at its slot, the next at least 0.7 of an interval later. Their commits'
        // ends also move with MySQL's latency (under the full suite a commit 100 ms slower than the next put two ends
        // 247 ms apart), so the gaps are read at the slots the worker decided, and the average at the commits.
        var gaps = mine.Zip(mine.Skip(1), (a, b) => b - a).ToList();
        var slotGaps = slots.Zip(slots.Skip(1), (a, b) => Stopwatch.GetElapsedTime(a, b)).ToList();
        Assert.All(slotGaps, gap => Assert.True(gap >= TimeSpan.FromMilliseconds(300), $"two writes decided {gap.TotalMilliseconds} ms apart"));
        Assert.True((mine[^1] - mine[0]) / gaps.Count >= TimeSpan.FromMilliseconds(450), "writes average at least 0.5 s apart");
        Assert.True(mine.Count <= processing.TotalSeconds * 2 + 1, $"{mine.Count} writes in {processing.TotalSeconds:0.0} s of processing");
    }

    [Fact]
    public async Task Fast_tokens_go_out_about_twenty_text_events_a_second_and_slow_ones_each_in_its_own()
    {
        // 300 tokens at 600/s: half a second of stream, which at one text event per 50 ms is about ten events.
        system.Ollama.Enqueue(OllamaScript.Steady(300, 600) with { FirstTokenDelay = TimeSpan.FromMilliseconds(500) });
        var fastJob = await system.CreateJobAsync(prompt: "fast tokens", maxTokens: 300);
        var fast = await SseClient.ReadAsync(system.Client, fastJob);

        // 8 tokens 150 ms apart: each comes after the text turn of the one before, so each goes out as it comes.
        system.Ollama.Enqueue(OllamaScript.Steady(8, 1000.0 / 150) with { FirstTokenDelay = TimeSpan.FromMilliseconds(500) });
        var slowJob = await system.CreateJobAsync(prompt: "slow tokens", maxTokens: 8);
        var slow = await SseClient.ReadAsync(system.Client, slowJob);

        Assert.Equal(Pieces(0, 300), SseClient.JoinText(fast));
        var fastTexts = fast.Where(e => e.Type == "text").ToList();
        var span = fastTexts[^1].At - fastTexts[0].At;
        Assert.InRange(fastTexts.Count, 3, span / TimeSpan.FromMilliseconds(50) + 3);
        Assert.Equal(Pieces(0, 8), SseClient.JoinText(slow));
        // One pair may share an event when an append took longer than the 150 ms to the next token (a busy suite).
        Assert.InRange(slow.Count(e => e.Type == "text"), 7, 8);
    }

    [Fact]
    public async Task The_row_shows_progress_before_the_first_token()
    {
        system.Ollama.Enqueue(OllamaScript.Steady(5, 100) with { FirstTokenDelay = TimeSpan.FromSeconds(3) });

        var jobId = await system.CreateJobAsync(maxTokens: 5);
        // While the model reads the prompt the row must still move: elapsed time written, no tokens yet.
        GenerationJobSnapshot? seen = null;
        await WaitUntilAsync(async () =>
        {
            var row = await system.ReadRowAsync(jobId);
            if (row.CurrentTokens == 0 && row.ElapsedTime >= 400) seen = new(row.Status, row.CurrentTokens, row.ElapsedTime);
            return seen is not null || row.CurrentTokens > 0;
        });

        Assert.NotNull(seen);
        Assert.Equal("processing", seen.Status);
        Assert.Equal("completed", (await system.WaitForTerminalAsync(jobId)).GetProperty("status").GetString());
    }

    private sealed record GenerationJobSnapshot(string Status, int CurrentTokens, long ElapsedTime);

    [Fact]
    public async Task An_Ollama_stream_that_goes_silent_fails_the_job_with_a_timeout()
    {
        system.Ollama.Enqueue(new OllamaScript { Tokens = 50, StallAfter = 3 });

        var jobId = await system.CreateJobAsync(maxTokens: 50);
        var status = await system.WaitForTerminalAsync(jobId);

        Assert.Equal("failed", status.GetProperty("status").GetString());
        Assert.Contains("timeout", status.GetProperty("error_message").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(Pieces(0, 3), status.GetProperty("text").GetString());
    }

    [Fact]
    public async Task A_5xx_and_a_broken_stream_are_retried_and_the_job_continues_where_it_was()
    {
        const string prompt = "retry probe";
        system.Ollama.Enqueue(
            new OllamaScript { FailWithStatus = 500 },
            new OllamaScript { Tokens = 40, CutAfter = 5 },
            new OllamaScript { Tokens = 10 });

        var jobId = await system.CreateJobAsync(prompt, maxTokens: 40);
        var status = await system.WaitForTerminalAsync(jobId);

        Assert.True(status.GetProperty("status").GetString() == "completed", status.ToString());
        // Five pieces from the broken call, then the third call continued after them (10 more).
        Assert.True(Pieces(0, 5) + Pieces(0, 10) == status.GetProperty("text").GetString(), status.ToString());
        Assert.Equal(15, status.GetProperty("completion_tokens").GetInt32());
        var calls = system.Ollama.ChatRequests.Where(r => r.ToJsonString().Contains(prompt)).ToList();
        Assert.Equal(3, calls.Count);
        var continuation = calls[2]["messages"]!.AsArray();
        Assert.Equal("assistant", continuation[^1]!["role"]!.GetValue<string>());
        Assert.Equal(Pieces(0, 5), continuation[^1]!["content"]!.GetValue<string>());
        Assert.Equal(35, calls[2]["options"]!["num_predict"]!.GetValue<int>());
    }

    [Fact]
    public async Task Ollama_failing_every_retry_ends_the_job_failed_with_the_reason()
    {
        const string prompt = "always 503";
        system.Ollama.Enqueue(Enumerable.Repeat(new OllamaScript { FailWithStatus = 503 }, 4).ToArray());

        var jobId = await system.CreateJobAsync(prompt, maxTokens: 10);
        var status = await system.WaitForTerminalAsync(jobId);

        Assert.Equal("failed", status.GetProperty("status").GetString());
        Assert.Contains("503", status.GetProperty("error_message").GetString());
        Assert.Equal(4, system.Ollama.ChatRequests.Count(r => r.ToJsonString().Contains(prompt)));
    }

    [Fact]
    public async Task Cancel_closes_the_Ollama_stream_within_a_second_and_ends_the_job_cancelled()
    {
        system.Ollama.Enqueue(OllamaScript.Steady(2000, 50));
        var jobId = await system.CreateJobAsync(maxTokens: 2000);
        await WaitUntilAsync(async () => (await system.ReadRowAsync(jobId)).CurrentTokens > 5);
        var abandonedBefore = system.Ollama.AbandonedStreams;

        var clock = Stopwatch.StartNew();
        var response = await system.Client.PostAsync($"/api/v1/ai/generation/{jobId}/cancel", null);
        Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);
        await WaitUntilAsync(() => Task.FromResult(system.Ollama.AbandonedStreams > abandonedBefore), TimeSpan.FromSeconds(10));
        var closedAfter = clock.Elapsed;

        Assert.True(closedAfter < TimeSpan.FromSeconds(1), $"stream closed after {closedAfter.TotalMilliseconds} ms");
        var status = await system.WaitForTerminalAsync(jobId);
        Assert.Equal("cancelled", status.GetProperty("status").GetString());
        await Task.Delay(700);
        Assert.Equal("cancelled", (await system.ReadRowAsync(jobId)).Status);
        var again = await system.Client.PostAsync($"/api/v1/ai/generation/{jobId}/cancel", null);
        Assert.Equal(System.Net.HttpStatusCode.Conflict, again.StatusCode);
    }

    [Fact]
    public async Task A_terminal_job_delivered_again_is_not_run_again()
    {
        system.Ollama.Enqueue(OllamaScript.Steady(5, 500));
        const string prompt = "run me once";
        var jobId = await system.CreateJobAsync(prompt, maxTokens: 5);
        var first = await system.WaitForTerminalAsync(jobId);
        var rowBefore = await system.ReadRowAsync(jobId);

        // A duplicate delivery, as after a crash between the final write and the acknowledgement.
        await system.RedisConnection.GetDatabase().StreamAddAsync(RedisKeys.Queue,
            [new("job_id", jobId), new("traceparent", ""), new("enqueued_at", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds())]);
        await WaitUntilAsync(async () => await system.RedisConnection.GetDatabase().StreamLengthAsync(RedisKeys.Queue) == 0);

        var rowAfter = await system.ReadRowAsync(jobId);
        Assert.Equal("completed", first.GetProperty("status").GetString());
        Assert.Equal(1, system.Ollama.ChatRequests.Count(r => r.ToJsonString().Contains(prompt)));
        Assert.Equal(rowBefore.Attempt, rowAfter.Attempt);
        Assert.Equal(rowBefore.CompletedAt, rowAfter.CompletedAt);
        Assert.Equal(rowBefore.GeneratedText, rowAfter.GeneratedText);
    }

    [Fact]
    public async Task After_Redis_lost_the_queue_and_its_group_new_jobs_still_run()
    {
        system.Ollama.Enqueue(OllamaScript.Steady(5, 500), OllamaScript.Steady(5, 500));
        await system.WaitForTerminalAsync(await system.CreateJobAsync("before data loss", maxTokens: 5));
        // Redis restarted without its data: the stream and the workers' consumer group are gone,
        // and the next enqueue recreates the stream alone.
        await system.RedisConnection.GetDatabase().KeyDeleteAsync(RedisKeys.Queue);

        var jobId = await system.CreateJobAsync("after data loss", maxTokens: 5);
        var status = await system.WaitForTerminalAsync(jobId, TimeSpan.FromSeconds(20));

        Assert.Equal("completed", status.GetProperty("status").GetString());
    }
}
