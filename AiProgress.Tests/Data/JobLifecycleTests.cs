using AiProgress.Jobs.Data;
using AiProgress.Tests.Infrastructure;
using AiProgress.Jobs.Lifecycle;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace AiProgress.Tests.Data;

/// <summary>The job's row transitions against a real MariaDB: fenced, batched progress writes, attempts, UTC instants.</summary>
public class JobLifecycleTests : IAsyncLifetime
{
    private ServiceProvider _services = null!;
    private string _connectionString = null!;

    public async Task InitializeAsync()
    {
        var server = await MariaDbServer.GetAsync();
        var builder = Host.CreateApplicationBuilder();
        _connectionString = await server.CreateDatabaseAsync("jobstore");
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:db"] = _connectionString });
        builder.AddJobsDatabase();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<JobLifecycle>();
        _services = builder.Services.BuildServiceProvider();
        await _services.MigrateJobsDatabaseAsync();
    }

    [Fact]
    public async Task One_batched_write_updates_every_owned_row_and_names_the_rows_this_worker_lost()
    {
        var lifecycle = _services.GetRequiredService<JobLifecycle>();
        var owned = await InsertAsync(JobStatus.Processing, attempt: 1);
        var takenOver = await InsertAsync(JobStatus.Processing, attempt: 2);
        var cancelled = await InsertAsync(JobStatus.Cancelled, attempt: 1);
        var snapshot = new ProgressSnapshot(42, 12.5, 3400, 5000, 40, 10);

        var lost = await lifecycle.WriteProgressAsync(
            [new ProgressRow(owned, 1, snapshot, "Once upon"), new ProgressRow(takenOver, 1, snapshot, "stale"), new ProgressRow(cancelled, 1, snapshot, "stale")],
            CancellationToken.None);

        Assert.Equal(new[] { takenOver, cancelled }.Order(), lost.Order());
        var rows = await ReadAsync();
        Assert.Equal((42, "Once upon", 3400L), (rows[owned].CurrentTokens, rows[owned].GeneratedText, rows[owned].ElapsedTime));
        Assert.Equal((0, ""), (rows[takenOver].CurrentTokens, rows[takenOver].GeneratedText));
        Assert.Equal((0, ""), (rows[cancelled].CurrentTokens, rows[cancelled].GeneratedText));
    }

    [Fact]
    public async Task Writing_the_same_progress_twice_still_counts_as_owned()
    {
        var lifecycle = _services.GetRequiredService<JobLifecycle>();
        var job = await InsertAsync(JobStatus.Processing, attempt: 1);
        var row = new ProgressRow(job, 1, new ProgressSnapshot(1, 1, 1, 1, 1, 1), "a");

        await lifecycle.WriteProgressAsync([row], CancellationToken.None);
        var lost = await lifecycle.WriteProgressAsync([row], CancellationToken.None);

        Assert.Empty(lost);
    }

    [Fact]
    public async Task One_statement_writes_hundreds_of_rows_each_with_its_own_numbers_and_text_exactly()
    {
        var lifecycle = _services.GetRequiredService<JobLifecycle>();
        var jobs = new List<string>();
        for (var i = 0; i < 300; i++) jobs.Add(await InsertAsync(JobStatus.Processing, attempt: 1));
        // Text JSON and SQL both escape: quotes, backslashes, newlines, control characters, accents, emoji.
        string Text(int i) => $"Once \"upon\" a \\ time\n\t{i} héllo 😀 \u0001 it's";
        var rows = jobs.Select((id, i) => new ProgressRow(id, 1,
            new ProgressSnapshot(i, i + 0.25, 1000L + i, i % 2 == 0 ? null : 5000L + i, i / 3.0, Text(i).Length), Text(i))).ToList();

        var lost = await lifecycle.WriteProgressAsync(rows, CancellationToken.None);

        Assert.Empty(lost);
        var written = await ReadAsync();
        for (var i = 0; i < jobs.Count; i++)
        {
            var row = written[jobs[i]];
            Assert.Equal((i, i + 0.25, 1000L + i, i % 2 == 0 ? null : 5000L + i, i / 3.0, Text(i)),
                (row.CurrentTokens, row.TokensPerSecond, row.ElapsedTime, row.EstimatedTimeRemaining, row.ProgressPercentage, row.GeneratedText));
            Assert.NotNull(row.LastUpdateAt);
        }
    }

    [Fact]
    public async Task Rows_whose_escaped_json_outgrows_its_pooled_buffer_are_written_whole_and_a_short_one_after_them_exactly()
    {
        var lifecycle = _services.GetRequiredService<JobLifecycle>();
        var job = await InsertAsync(JobStatus.Processing, attempt: 1);
        // Each "é😀" is 3 UTF-16 units and 18 bytes of escaped JSON: six times what the buffer is first sized for.
        var longText = string.Concat(Enumerable.Repeat("é😀", 20_000));
        var snapshot = new ProgressSnapshot(1, 1, 1000, null, 1, longText.Length);

        Assert.Empty(await lifecycle.WriteProgressAsync([new ProgressRow(job, 1, snapshot, longText)], CancellationToken.None));
        Assert.Equal(longText, (await ReadAsync())[job].GeneratedText);

        // The next statement gets the same, larger pooled arrays back: only what it wrote is sent.
        Assert.Empty(await lifecycle.WriteProgressAsync([new ProgressRow(job, 1, snapshot, "short")], CancellationToken.None));
        Assert.Equal("short", (await ReadAsync())[job].GeneratedText);
    }

    [Fact]
    public async Task Completing_many_at_once_completes_the_owned_rows_and_names_no_lost_one()
    {
        var lifecycle = _services.GetRequiredService<JobLifecycle>();
        var owned = await InsertAsync(JobStatus.Processing, attempt: 1);
        var takenOver = await InsertAsync(JobStatus.Processing, attempt: 2);
        var cancelled = await InsertAsync(JobStatus.Cancelled, attempt: 1);
        Completion End(string id) => new(id, 1, new FinalCounts(7, 40, 12.5), $"the end of {id} \"quoted\" 😀", 3200);

        var completed = await lifecycle.CompleteManyAsync([End(owned), End(takenOver), End(cancelled)], CancellationToken.None);

        Assert.Equal([owned], completed);
        var rows = await ReadAsync();
        var row = rows[owned];
        Assert.Equal((JobStatus.Completed, 100.0, 40, 7, 40, 47, 12.5, 3200L, 0L, End(owned).Text),
            (row.Status, row.ProgressPercentage, row.CurrentTokens, row.PromptTokens, row.CompletionTokens, row.TotalTokens, row.TokensPerSecond,
             row.ElapsedTime, row.EstimatedTimeRemaining, row.GeneratedText));
        Assert.NotNull(row.CompletedAt);
        Assert.Equal((JobStatus.Processing, ""), (rows[takenOver].Status, rows[takenOver].GeneratedText));
        Assert.Equal(JobStatus.Cancelled, rows[cancelled].Status);
        // Asked again (a retry whose first answer was lost): still completed under its attempt.
        Assert.Equal([owned], await lifecycle.CompleteManyAsync([End(owned)], CancellationToken.None));
    }

    [Fact]
    public async Task Hundreds_of_jobs_ending_together_are_written_in_a_few_statements()
    {
        var writes = new AiProgress.Worker.Jobs.CompletionWrites(_services.GetRequiredService<JobLifecycle>());
        var jobs = new List<string>();
        for (var i = 0; i < 300; i++) jobs.Add(await InsertAsync(JobStatus.Processing, attempt: 1));
        var cancelled = await InsertAsync(JobStatus.Cancelled, attempt: 1);
        var before = await AiProgress.Tests.Api.MariaDbCounters.UpdatesAsync(_connectionString);

        var results = await Task.WhenAll(jobs.Append(cancelled).Select(id => Task.Run(() =>
            writes.CompleteAsync(new Completion(id, 1, new FinalCounts(1, 2, 3), $"text of {id}", 10), CancellationToken.None))));

        var statements = await AiProgress.Tests.Api.MariaDbCounters.UpdatesAsync(_connectionString) - before;
        Assert.Equal(jobs.Select(_ => true).Append(false), results);
        // One statement per job would be 301; the first goes alone, the rest wait for it and go together.
        Assert.InRange(statements, 2, 20);
        var rows = await ReadAsync();
        Assert.All(jobs, id => Assert.Equal((JobStatus.Completed, $"text of {id}"), (rows[id].Status, rows[id].GeneratedText)));
    }

    [Fact]
    public async Task Deliveries_beginning_at_once_each_get_their_own_attempt()
    {
        var lifecycle = _services.GetRequiredService<JobLifecycle>();
        var job = await InsertAsync(JobStatus.Queued, attempt: 0);

        var begun = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => lifecycle.BeginAttemptAsync(job, CancellationToken.None))));

        Assert.Equal(Enumerable.Range(1, 8), begun.Select(j => j!.Attempt).Order());
        Assert.All(begun, j => Assert.Equal(JobStatus.Processing, j!.Status));
    }

    [Fact]
    public async Task A_terminal_job_never_changes_again()
    {
        var lifecycle = _services.GetRequiredService<JobLifecycle>();
        var job = await InsertAsync(JobStatus.Queued, attempt: 0);
        var attempt = (await lifecycle.BeginAttemptAsync(job, CancellationToken.None))!.Attempt;

        Assert.True(await lifecycle.CancelAsync(job, CancellationToken.None));

        Assert.False(await lifecycle.CompleteAsync(job, attempt, new FinalCounts(1, 2, 3), "text", 10, CancellationToken.None));
        Assert.False(await lifecycle.FailAsync(job, attempt, "late", null, CancellationToken.None));
        Assert.False(await lifecycle.CancelAsync(job, CancellationToken.None));
        Assert.Null(await lifecycle.BeginAttemptAsync(job, CancellationToken.None));
        Assert.Equal((JobStatus.Cancelled, ""), ((await ReadAsync())[job].Status, (await ReadAsync())[job].GeneratedText));
    }

    [Fact]
    public async Task Instants_come_back_as_UTC_from_EF_and_from_raw_reads()
    {
        var lifecycle = _services.GetRequiredService<JobLifecycle>();
        var job = await InsertAsync(JobStatus.Queued, attempt: 0);
        var begun = (await lifecycle.BeginAttemptAsync(job, CancellationToken.None))!;

        Assert.Equal(DateTimeKind.Utc, begun.StartedAt!.Value.Kind);
        Assert.Equal(DateTimeKind.Utc, (await ReadAsync())[job].CreatedAt.Kind);
        Assert.InRange((DateTime.UtcNow - begun.StartedAt.Value).TotalSeconds, -5, 5);
        await using var connection = await _services.GetRequiredService<MySqlConnector.MySqlDataSource>().OpenConnectionAsync();
        await using var command = new MySqlConnector.MySqlCommand($"SELECT started_at FROM ai_generation_jobs WHERE job_id = '{job}'", connection);
        Assert.Equal(DateTimeKind.Utc, ((DateTime)(await command.ExecuteScalarAsync())!).Kind);
    }

    private async Task<string> InsertAsync(string status, int attempt)
    {
        await using var db = await _services.GetRequiredService<IDbContextFactory<JobsDbContext>>().CreateDbContextAsync();
        var job = new GenerationJob
        {
            JobId = Guid.NewGuid().ToString(), ClientId = "test", Prompt = "p", Model = "m", MaxTokens = 100,
            Status = status, Attempt = attempt, CreatedAt = DateTime.UtcNow,
        };
        db.Jobs.Add(job);
        await db.SaveChangesAsync();
        return job.JobId;
    }

    private async Task<Dictionary<string, GenerationJob>> ReadAsync()
    {
        await using var db = await _services.GetRequiredService<IDbContextFactory<JobsDbContext>>().CreateDbContextAsync();
        return await db.Jobs.AsNoTracking().ToDictionaryAsync(j => j.JobId);
    }

    public async Task DisposeAsync() => await _services.DisposeAsync();
}
