namespace AiProgress.AppHost.Hosting;

public static class CacheExtensions
{
    /// <summary>Redis: the Aspire Redis container, or a local redis-server with its data under the AppHost's data folder.</summary>
    public static IResourceBuilder<IResourceWithConnectionString> AddCache(
        this IDistributedApplicationBuilder builder, string name, HostingMode mode, string dataRoot)
    {
        if (mode == HostingMode.Containers)
        {
            // Every write in the append-only file, synced before it is acknowledged, as in local mode: a crash
            // loses no queued job (Redis groups the syncs of one event-loop turn, so the cost stays small).
            var container = builder.AddRedis(name).WithDataVolume("aiprogress-redis")
                .WithArgs("--appendonly", "yes", "--appendfsync", "always");
            return builder.CreateResourceBuilder<IResourceWithConnectionString>(container.Resource);
        }

        var dataDirectory = Directory.CreateDirectory(Path.Combine(dataRoot, "redis")).FullName;
        var redis = new LocalRedisResource(name, ExecutableLocator.Find("redis-server"), dataDirectory);
        builder.AddResource(redis)
            .WithEndpoint(name: "tcp", scheme: "tcp")
            .WithArgs(context =>
            {
                context.Args.Add("--port");
                context.Args.Add(redis.PrimaryEndpoint.Property(EndpointProperty.TargetPort));
                context.Args.Add("--bind");
                context.Args.Add("127.0.0.1");
                context.Args.Add("--dir");
                context.Args.Add(dataDirectory);
                context.Args.Add("--appendonly");
                context.Args.Add("yes");
                context.Args.Add("--appendfsync");
                context.Args.Add("always");
                context.Args.Add("--save");
                context.Args.Add("");
            })
            .WithConnectionHealthCheck(resource => new RedisHealthCheck(resource));
        return builder.CreateResourceBuilder<IResourceWithConnectionString>(redis);
    }
}
