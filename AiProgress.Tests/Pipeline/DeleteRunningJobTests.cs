using System.Net;
using AiProgress.Jobs;
using AiProgress.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace AiProgress.Tests.Pipeline;

/// <summary>DELETE of a job a worker is generating: the Ollama stream stops, and nothing of the job comes back.</summary>
public class DeleteRunningJobTests(PipelineFixture system) : IClassFixture<PipelineFixture>
{
    [Fact]
    public async Task Deleting_a_running_job_cancels_it_first_and_nothing_of_it_is_left()
    {
        system.Ollama.Enqueue(OllamaScript.Steady(2000, 50));
        var jobId = await system.CreateJobAsync("delete me while you write", maxTokens: 2000);
        await Eventually.WaitUntilAsync(async () => (await system.ReadRowAsync(jobId)).CurrentTokens > 5);
        var abandonedBefore = system.Ollama.AbandonedStreams;

        using var response = await system.Client.DeleteAsync($"/api/v1/ai/generation/{jobId}");

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        await Eventually.WaitUntilAsync(() => Task.FromResult(system.Ollama.AbandonedStreams > abandonedBefore), TimeSpan.FromSeconds(10));
        // Longer than the worker's event and row intervals: whatever it still had in hand must not bring the job back.
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        var factory = system.Api.Services.GetRequiredService<IDbContextFactory<AiProgress.Jobs.Data.JobsDbContext>>();
        await using var db = await factory.CreateDbContextAsync();
        Assert.False(await db.Jobs.AnyAsync(j => j.JobId == jobId));
        Assert.NotEqual(RedisType.Stream, await system.RedisConnection.GetDatabase().KeyTypeAsync(RedisKeys.JobEvents(jobId)));
        Assert.Equal(HttpStatusCode.NotFound, (await system.Client.GetAsync($"/api/v1/ai/generation/{jobId}/status")).StatusCode);
    }
}
