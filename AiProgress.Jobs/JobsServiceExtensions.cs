using AiProgress.Jobs.Data;
using AiProgress.Jobs.Events;
using AiProgress.Jobs.Lifecycle;
using AiProgress.Jobs.Liveness;
using AiProgress.Jobs.Queue;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace AiProgress.Jobs;

public static class JobsServiceExtensions
{
    public const string RedisConnectionName = "cache";

    /// <summary>What the API and the worker share: the jobs table and its transitions, Redis, the queue and the per-job event streams.</summary>
    public static IHostApplicationBuilder AddJobsInfrastructure(this IHostApplicationBuilder builder)
    {
        builder.AddJobsDatabase();
        builder.AddRedisClient(RedisConnectionName, configureOptions: RedisSockets.UseThreadPool);
        builder.AddLiveEventsConnection(RedisConnectionName);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<JobLifecycle>();
        builder.Services.AddSingleton<JobQueue>();
        builder.Services.AddSingleton<JobEventStream>();
        builder.Services.AddSingleton<JobRuns>();
        builder.Services.AddSingleton<WorkerLiveness>();
        return builder;
    }
}
