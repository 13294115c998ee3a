using System.Diagnostics;
using AiProgress.Jobs.Data;
using AiProgress.Jobs.Lifecycle;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using MySqlConnector;

namespace AiProgress.Benchmarks.Pipeline;

/// <summary>
/// Figure 1: the worker's batched progress write (JobLifecycle.WriteProgressAsync, one transaction for all its jobs)
/// against one autocommit UPDATE per job, written back to back: the capacity in rows per second.
/// </summary>
internal static class ProgressWriteBenchmark
{
    // A generation's text is rewritten whole at every write; ~400 tokens of it on average.
    private static readonly string Story = string.Concat(Enumerable.Range(0, 800).Select(i => $"w{i} "));

    public static async Task RunAsync(string connectionString, int runs, TimeSpan runLength)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:db"] = connectionString,
            ["Logging:LogLevel:Default"] = "Warning",
        });
        builder.AddJobsDatabase();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<JobLifecycle>();
        using var host = builder.Build();
        await host.Services.MigrateJobsDatabaseAsync();

        var store = host.Services.GetRequiredService<JobLifecycle>();
        var dataSource = host.Services.GetRequiredService<MySqlDataSource>();
        int[] sizes = [1, 4, 16, 64, 250];
        var ids = await InsertJobsAsync(host.Services.GetRequiredService<IDbContextFactory<JobsDbContext>>(), sizes.Max());

        var lost = 0;
        async Task Batched(IReadOnlyList<ProgressRow> rows) => lost += (await store.WriteProgressAsync(rows, CancellationToken.None)).Count;
        async Task OneByOne(IReadOnlyList<ProgressRow> rows)
        {
            foreach (var row in rows) await UpdateOneAsync(dataSource, row);
        }
        Task AllAtOnce(IReadOnlyList<ProgressRow> rows) => Task.WhenAll(rows.Select(row => UpdateOneAsync(dataSource, row)));

        Func<IReadOnlyList<ProgressRow>, Task>[] variants = [Batched, OneByOne, AllAtOnce];
        Console.WriteLine();
        Console.WriteLine("| active jobs | batched rows/s | one UPDATE per job rows/s | batched / one-by-one | concurrent UPDATEs rows/s | batched / concurrent |");
        Console.WriteLine("|------------:|---------------:|--------------------------:|---------------------:|--------------------------:|---------------------:|");
        foreach (var n in sizes)
        {
            var jobs = ids[..n];
            await MeasureAsync(Batched, jobs, TimeSpan.FromMilliseconds(100)); // warm the pool and the pages
            var samples = new List<double[]>();
            for (var run = 0; run < runs; run++)
            {
                // Rotate the order each run, so a drifting machine does not favour one variant.
                var sample = new double[variants.Length];
                for (var k = 0; k < variants.Length; k++)
                {
                    var v = (k + run) % variants.Length;
                    sample[v] = await MeasureAsync(variants[v], jobs, runLength);
                }
                samples.Add(sample);
            }

            Console.WriteLine($"| {n,11} | {Stats.F(Stats.Median(samples.Select(s => s[0])), "F0"),14} | {Stats.F(Stats.Median(samples.Select(s => s[1])), "F0"),25} " +
                $"| {Stats.F(Stats.Median(samples.Select(s => s[0] / s[1])), "F2"),20} | {Stats.F(Stats.Median(samples.Select(s => s[2])), "F0"),25} " +
                $"| {Stats.F(Stats.Median(samples.Select(s => s[0] / s[2])), "F2"),20} |");
        }

        Console.WriteLine();
        Console.WriteLine($"Each cell: median of {runs} runs of {runLength.TotalSeconds:0.#} s writing back to back (the worker writes every 0.5 s; this is the");
        Console.WriteLine("capacity behind that). Rows carry ~2,000 characters of text. 'one UPDATE per job': the same fenced UPDATE, autocommit,");
        Console.WriteLine("one after another on pooled connections; 'concurrent': the same, all jobs' UPDATEs in flight at once.");
        if (lost > 0)
        {
            Console.WriteLine($"WARNING: WriteProgressAsync reported {lost} rows as lost (not 'processing' under attempt 1) though nothing else touched them.");
        }
    }

    private static async Task<string[]> InsertJobsAsync(IDbContextFactory<JobsDbContext> contexts, int count)
    {
        var now = DateTime.UtcNow;
        await using var db = await contexts.CreateDbContextAsync();
        var jobs = Enumerable.Range(0, count).Select(_ => new GenerationJob
        {
            JobId = Guid.NewGuid().ToString(), ClientId = "benchmark", Prompt = "Tell me a story", Model = "bench",
            MaxTokens = 512, Status = JobStatus.Processing, Attempt = 1, CreatedAt = now, StartedAt = now,
        }).ToList();
        db.Jobs.AddRange(jobs);
        await db.SaveChangesAsync();
        return jobs.Select(j => j.JobId).ToArray();
    }

    private static async Task<double> MeasureAsync(Func<IReadOnlyList<ProgressRow>, Task> write, string[] jobIds, TimeSpan length)
    {
        var written = 0;
        var started = Stopwatch.GetTimestamp();
        for (var tick = 0; Stopwatch.GetElapsedTime(started) < length; tick++)
        {
            await write(Rows(jobIds, tick));
            written += jobIds.Length;
        }

        return written / Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    private static ProgressRow[] Rows(string[] jobIds, int tick)
    {
        var tokens = 200 + tick % 400;
        var text = Story[..(tokens * 5)];
        var snapshot = new ProgressSnapshot(tokens, 30.5, tokens * 33L, (512 - tokens) * 33L, Math.Round(tokens * 100.0 / 512, 1), text.Length);
        return jobIds.Select(id => new ProgressRow(id, 1, snapshot, text)).ToArray();
    }

    /// <summary>The seed's way: one fenced UPDATE per job.</summary>
    private const string OneRowUpdateSql = """
        UPDATE ai_generation_jobs SET progress_percentage = @p, current_tokens = @tokens,
          tokens_per_second = @rate, elapsed_time = @elapsed, estimated_time_remaining = @eta,
          generated_text = @text, last_update_at = @now
        WHERE job_id = @id AND status = @processing AND attempt = @attempt
        """;

    private static async Task UpdateOneAsync(MySqlDataSource dataSource, ProgressRow row)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var command = new MySqlCommand(OneRowUpdateSql, connection);
        var p = command.Parameters;
        p.AddWithValue("@p", row.Snapshot.Percentage);
        p.AddWithValue("@tokens", row.Snapshot.Tokens);
        p.AddWithValue("@rate", row.Snapshot.TokensPerSecond);
        p.AddWithValue("@elapsed", row.Snapshot.ElapsedMs);
        p.AddWithValue("@eta", row.Snapshot.EstimatedRemainingMs);
        p.AddWithValue("@text", row.Text);
        p.AddWithValue("@now", DateTime.UtcNow);
        p.AddWithValue("@id", row.JobId);
        p.AddWithValue("@attempt", row.Attempt);
        p.AddWithValue("@processing", JobStatus.Processing);
        await command.ExecuteNonQueryAsync();
    }
}
