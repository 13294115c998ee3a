using System.Collections.Concurrent;
using System.Diagnostics;
using AiProgress.Jobs.Data;
using AiProgress.Jobs.Events;
using AiProgress.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace AiProgress.Tests.Pipeline;

/// <summary>One worker holding hundreds of streams at once (issue 15 asks for thousands; the benchmark's report runs 2,000).</summary>
public class ConcurrentJobsTests(ManyJobsFixture system, ITestOutputHelper output) : IClassFixture<ManyJobsFixture>
{
    [Fact]
    public async Task One_worker_runs_400_jobs_at_once_and_each_ends_with_its_exact_text_and_every_event()
    {
        const int jobs = 400;
        const int tokens = 60;
        // 3 s per job, so that all of them overlap even while the last ones are still being created.
        system.Ollama.DefaultScript = OllamaScript.Steady(tokens, tokensPerSecond: 20);
        var clock = Stopwatch.StartNew();
        var ids = new ConcurrentBag<string>();
        await Parallel.ForEachAsync(Enumerable.Range(0, jobs), new ParallelOptions { MaxDegreeOfParallelism = 8 },
            async (i, _) => ids.Add(await system.CreateJobAsync($"many at once {i}", maxTokens: tokens)));
        var created = clock.Elapsed;

        var peak = 0;
        var finished = 0;
        var deadline = TimeSpan.FromSeconds(60);
        while (clock.Elapsed < deadline && (finished = await CountTerminalAsync(ids)) < jobs)
        {
            peak = Math.Max(peak, system.Ollama.ActiveStreams);
            await Task.Delay(20);
        }

        output.WriteLine($"{jobs} jobs: created in {created.TotalSeconds:F1} s, all terminal after {clock.Elapsed.TotalSeconds:F1} s, {peak} streams at once at most");
        Assert.True(finished == jobs, $"{finished}/{jobs} terminal after {clock.Elapsed}");
        Assert.True(peak >= jobs * 3 / 4, $"at most {peak} of {jobs} streams ran at once");

        var expected = string.Concat(Enumerable.Range(0, tokens).Select(OllamaScript.Piece));
        var events = system.Api.Services.GetRequiredService<JobEventStream>();
        var wrong = new List<string>();
        foreach (var jobId in ids)
        {
            var row = await system.ReadRowAsync(jobId);
            var fold = JobEventFold.From(await events.ReadAfterAsync(jobId, null, max: int.MaxValue));
            if (row.Status != JobStatus.Completed || row.GeneratedText != expected || row.CompletionTokens != tokens
                || fold.HasGap || fold.Text != expected || fold.Terminal?.Type != JobEventTypes.Complete)
            {
                wrong.Add($"{jobId}: row {row.Status}/{row.CompletionTokens} tokens, events {fold.TextLength} chars, gap {fold.HasGap}, end {fold.Terminal?.Type}");
            }
        }

        Assert.True(wrong.Count == 0, $"{wrong.Count} jobs not intact:\n{string.Join("\n", wrong.Take(10))}");
    }

    private async Task<int> CountTerminalAsync(IReadOnlyCollection<string> ids)
    {
        var factory = system.Api.Services.GetRequiredService<IDbContextFactory<JobsDbContext>>();
        await using var db = await factory.CreateDbContextAsync();
        return await db.Jobs.CountAsync(j => ids.Contains(j.JobId) && j.Status != JobStatus.Queued && j.Status != JobStatus.Processing);
    }
}
