using StackExchange.Redis;

namespace AiProgress.Tests.Infrastructure;

/// <summary>What a redis-server has run, from its own counters (INFO commandstats; calls inside scripts count too).</summary>
internal static class RedisCommandStats
{
    public static async Task<long> CallsAsync(string connectionString, string command)
    {
        await using var admin = await ConnectionMultiplexer.ConnectAsync(connectionString + ",allowAdmin=true");
        var stats = await admin.GetServers()[0].InfoAsync("commandstats");
        var line = stats.SelectMany(g => g).FirstOrDefault(p => p.Key == "cmdstat_" + command).Value;
        return line is null ? 0 : long.Parse(line.Split("calls=")[1].Split(',')[0]);
    }
}
