using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace AiProgress.Jobs.Events;

/// <summary>
/// The live events' appends (one per job every 50 ms while tokens flow) go over a Redis connection of their own that
/// no profiler watches. The Redis tracing's profiler keeps every command, with its arguments (the event text), until
/// its next flush: at 2,500 jobs that was ~35,000 commands alive, promoted out of gen0, and the worker's collections
/// took 130–240 ms. Aspire's keyed client cannot be used for it: every connection Aspire creates is handed to the
/// instrumentation once any client has tracing on. A job's span counts its events instead; the queue stays traced.
/// </summary>
public static class LiveEventsConnection
{
    public static IHostApplicationBuilder AddLiveEventsConnection(this IHostApplicationBuilder builder, string connectionName)
    {
        builder.Services.AddKeyedSingleton<IConnectionMultiplexer>(JobEventStream.ConnectionKey, (services, _) =>
        {
            var connectionString = builder.Configuration.GetConnectionString(connectionName)
                ?? throw new InvalidOperationException($"ConnectionStrings:{connectionName} is not set.");
            var options = ConfigurationOptions.Parse(connectionString);
            // Like Aspire's clients: Redis being down at start is retried, not fatal.
            options.AbortOnConnectFail = false;
            options.LoggerFactory ??= services.GetService<ILoggerFactory>();
            RedisSockets.UseThreadPool(options);
            return ConnectionMultiplexer.Connect(options);
        });
        return builder;
    }
}
