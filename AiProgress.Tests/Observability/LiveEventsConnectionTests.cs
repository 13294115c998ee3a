using System.Reflection;
using AiProgress.Jobs;
using AiProgress.Jobs.Events;
using AiProgress.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;

namespace AiProgress.Tests.Observability;

public class LiveEventsConnectionTests
{
    [Fact]
    public async Task Live_events_go_over_a_connection_of_their_own_that_the_Redis_tracing_does_not_profile()
    {
        await using var redis = await RedisServer.StartNewAsync();
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:cache"] = redis.ConnectionString,
            ["ConnectionStrings:db"] = "Server=127.0.0.1;Port=1;Database=unused;User ID=unused",
        });
        builder.AddServiceDefaults();
        builder.AddJobsInfrastructure();
        using var host = builder.Build();

        // The tracing's profiler keeps every command it sees until its next flush: the live connection has none.
        var traced = host.Services.GetRequiredService<IConnectionMultiplexer>();
        var live = host.Services.GetRequiredKeyedService<IConnectionMultiplexer>(JobEventStream.ConnectionKey);
        Assert.NotSame(traced, live);
        var profiler = typeof(ConnectionMultiplexer).GetField("_profilingSessionProvider", BindingFlags.NonPublic | BindingFlags.Instance);
        Assert.NotNull(profiler);
        Assert.NotNull(profiler.GetValue(traced));
        Assert.Null(profiler.GetValue(live));

        var tracedBefore = traced.OperationCount;
        var liveBefore = live.OperationCount;
        var events = host.Services.GetRequiredService<JobEventStream>();
        for (var i = 0; i < 20; i++)
        {
            Assert.True(await events.AppendAsync("job-live-connection", (JobEventTypes.Text, $$"""{"offset":{{i}},"text":"x"}""")));
        }

        Assert.Equal(20, (await events.ReadAfterAsync("job-live-connection", null)).Count);
        Assert.True(live.OperationCount - liveBefore >= 21, $"live connection ran {live.OperationCount - liveBefore} operations");
        Assert.True(traced.OperationCount - tracedBefore < 5, $"traced connection ran {traced.OperationCount - tracedBefore} operations");
    }
}
