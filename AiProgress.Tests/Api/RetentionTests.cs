using System.Net;
using AiProgress.Api.Retention;
using AiProgress.Jobs;
using AiProgress.Jobs.Data;
using AiProgress.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace AiProgress.Tests.Api;

/// <summary>A client deletes its own jobs; finished jobs expire by themselves, swept by one replica at a time.</summary>
public class RetentionTests(ApiOnlyFixture system) : IClassFixture<ApiOnlyFixture>
{
    private ApiServer StartApi(params (string Key, string Value)[] overrides) => system.StartApi(overrides);

    private async Task<bool> RowExistsAsync(string jobId)
    {
        var factory = system.Api.Services.GetRequiredService<IDbContextFactory<JobsDbContext>>();
        await using var db = await factory.CreateDbContextAsync();
        return await db.Jobs.AnyAsync(j => j.JobId == jobId);
    }

    private Task<RedisType> EventsKeyTypeAsync(string jobId) => system.RedisConnection.GetDatabase().KeyTypeAsync(RedisKeys.JobEvents(jobId));

    [Fact]
    public async Task Deleting_a_queued_job_cancels_it_and_leaves_no_row_prompt_or_live_events()
    {
        var jobId = await system.CreateJobAsync("a secret prompt", maxTokens: 3);
        await SseClient.ReadAsync(system.Client, jobId, stopAfter: _ => true);

        using var deleted = await system.Client.DeleteAsync($"/api/v1/ai/generation/{jobId}");
        using var status = await system.Client.GetAsync($"/api/v1/ai/generation/{jobId}/status");
        using var again = await system.Client.DeleteAsync($"/api/v1/ai/generation/{jobId}");

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, status.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        Assert.False(await RowExistsAsync(jobId));
        Assert.NotEqual(RedisType.Stream, await EventsKeyTypeAsync(jobId));
    }

    [Fact]
    public async Task Another_clients_job_cannot_be_deleted_and_looks_unknown()
    {
        var jobId = await system.CreateJobAsync("not yours to delete", maxTokens: 3);
        using var stranger = system.Api.CreateBrowserClient();

        using var response = await stranger.DeleteAsync($"/api/v1/ai/generation/{jobId}");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("queued", (await system.ReadRowAsync(jobId)).Status);
    }

    [Fact]
    public async Task Finished_jobs_expire_by_themselves_and_open_ones_stay()
    {
        await using var api = StartApi(("Api:RetainFinishedJobs", "00:00:01"), ("Api:RetentionSweepInterval", "00:00:00.200"));
        using var client = api.CreateBrowserClient();
        var finished = await system.CreateJobAsync("ends, then expires", maxTokens: 3, client: client);
        var open = await system.CreateJobAsync("still queued", maxTokens: 3, client: client);
        (await client.PostAsync($"/api/v1/ai/generation/{finished}/cancel", null)).EnsureSuccessStatusCode();
        Assert.Equal(RedisType.Stream, await EventsKeyTypeAsync(finished));

        var sweeps = new List<int>();
        api.Services.GetRequiredService<RetentionSweeper>().Swept += sweeps.Add;
        var hosted = api.Services.GetServices<Microsoft.Extensions.Hosting.IHostedService>().Select(h => h.GetType().Name).ToList();
        await Eventually.TrueAsync(async () => !await RowExistsAsync(finished), () => $"the finished job was never swept: {string.Join(",", sweeps)} / {string.Join(",", hosted)}", TimeSpan.FromSeconds(15));

        Assert.Equal(RedisType.None, await EventsKeyTypeAsync(finished));
        Assert.True(await RowExistsAsync(open));
    }

    [Fact]
    public async Task Only_the_replica_holding_the_sweep_lock_sweeps()
    {
        var sweeper = system.Api.Services.GetRequiredService<RetentionSweeper>();
        await using var connection = new MySqlConnector.MySqlConnection(system.DatabaseConnectionString);
        await connection.OpenAsync();
        await using var take = new MySqlConnector.MySqlCommand($"SELECT GET_LOCK({SweepLock.NameSql}, 5)", connection);
        Assert.Equal(1L, Convert.ToInt64(await take.ExecuteScalarAsync()));

        var whileHeld = await sweeper.SweepAsync(CancellationToken.None);
        await using var release = new MySqlConnector.MySqlCommand($"SELECT RELEASE_LOCK({SweepLock.NameSql})", connection);
        await release.ExecuteScalarAsync();
        var afterwards = await sweeper.SweepAsync(CancellationToken.None);

        Assert.Equal(-1, whileHeld);
        Assert.True(afterwards >= 0);
    }
}
