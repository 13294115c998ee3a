using AiProgress.Jobs;
using AiProgress.Jobs.Queue;
using AiProgress.Testing;
using StackExchange.Redis;

namespace AiProgress.Tests.Queue;

/// <summary>A worker's heartbeat over thousands of entries goes in chunks, and still reaches every entry it holds.</summary>
public class QueueHeartbeatTests
{
    [Fact]
    public async Task A_heartbeat_over_more_entries_than_one_chunk_resets_every_one_it_names_and_no_other()
    {
        await using var server = await RedisServer.StartNewAsync();
        await using var redis = await ConnectionMultiplexer.ConnectAsync(server.ConnectionString);
        var queue = new JobQueue(redis, TimeProvider.System);
        await queue.EnsureCreatedAsync();
        var count = JobQueue.HeartbeatChunk * 2 + 51;
        for (var i = 0; i < count; i++)
        {
            await queue.EnqueueAsync($"job-{i}", traceParent: null);
        }

        var held = await queue.TakeNewAsync("worker-a", count);
        await Task.Delay(400);
        var named = held.Skip(1).Select(e => e.EntryId).ToList();
        await queue.HeartbeatAsync("worker-a", named);

        var pending = await redis.GetDatabase().StreamPendingMessagesAsync(RedisKeys.Queue, RedisKeys.QueueGroup, count + 10, RedisValue.Null);
        var idleById = pending.ToDictionary(p => (string)p.MessageId!, p => p.IdleTimeInMilliseconds);
        Assert.Equal(count, held.Count);
        Assert.Equal(count, idleById.Count);
        Assert.All(named, id => Assert.True(idleById[id] < 300, $"{id} idle {idleById[id]} ms after the heartbeat"));
        Assert.True(idleById[held[0].EntryId] >= 400, "the entry the heartbeat did not name kept its idle time");
        Assert.All(pending, p => Assert.Equal("worker-a", (string)p.ConsumerName!));
    }
}
