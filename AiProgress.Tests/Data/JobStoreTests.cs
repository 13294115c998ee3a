using AiProgress.Jobs.Data;
using AiProgress.Tests.Infrastructure;
using AiProgress.Worker.Jobs;
using AiProgress.Worker.Progress;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace AiProgress.Tests.Data;

/// <summary>The worker's fenced, batched progress writes against a real MariaDB.</summary>
public class JobStoreTests : IAsyncLifetime
{
    private ServiceProvider _services = null!;

    public async Task InitializeAsync()
    {
        var server = await MariaDbServer.GetAsync();
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:db"] = await server.CreateDatabaseAsync("jobstore") });
        builder.AddJobsDatabase();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<JobStore>();
        _services = builder.Services.BuildServiceProvider();
        await _services.MigrateJobsDatabaseAsync();
    }

    [Fact]
    public async Task One_batched_write_updates_every_owned_row_and_names_the_rows_this_worker_lost()
    {
        var store = _services.GetRequiredService<JobStore>();
        var owned = await InsertAsync(JobStatus.Processing, attempt: 1);
        var takenOver = await InsertAsync(JobStatus.Processing, attempt: 2);
        var cancelled = await InsertAsync(JobStatus.Cancelled, attempt: 1);
        var snapshot = new ProgressSnapshot(42, 12.5, 3400, 5000, 40, 10);

        var lost = await store.WriteProgressAsync(
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
        var store = _services.GetRequiredService<JobStore>();
        var job = await InsertAsync(JobStatus.Processing, attempt: 1);
        var row = new ProgressRow(job, 1, new ProgressSnapshot(1, 1, 1, 1, 1, 1), "a");

        await store.WriteProgressAsync([row], CancellationToken.None);
        var lost = await store.WriteProgressAsync([row], CancellationToken.None);

        Assert.Empty(lost);
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
