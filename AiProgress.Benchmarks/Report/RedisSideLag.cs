using AiProgress.Benchmarks.Pipeline;
using AiProgress.Jobs;
using AiProgress.Testing;
using StackExchange.Redis;

namespace AiProgress.Benchmarks.Report;

/// <summary>
/// The worker's share of the newest-token lag: from the scripted server writing a text event's newest token to Redis
/// taking the event (its stream id is Redis's clock in milliseconds). Splits a lag between the worker's side and the
/// API's. The two clocks are tied once (wall clock against the monotonic one), so figures are ±1 ms.
/// </summary>
internal static class RedisSideLag
{
    public static async Task<(double P50, double P99)> MeasureAsync(IDatabase redis, IReadOnlyList<string> jobIds, int sample = 200)
    {
        var wallMinusMonotonicMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - MicroClock.NowMicros / 1000.0;
        var lags = new List<double>();
        foreach (var jobId in jobIds.Take(sample))
        {
            foreach (var entry in await redis.StreamRangeAsync(RedisKeys.JobEvents(jobId)))
            {
                if ((string?)entry["type"] != "text") continue;
                var data = System.Text.Json.JsonDocument.Parse((string)entry["data"]!).RootElement;
                var stamps = MicroClock.StampsIn(data.GetProperty("delta").GetString()!).ToArray();
                if (stamps.Length == 0) continue;
                var appendedMs = long.Parse(((string)entry.Id!).Split('-')[0], System.Globalization.CultureInfo.InvariantCulture);
                lags.Add(appendedMs - (stamps.Max() / 1000.0 + wallMinusMonotonicMs));
            }
        }

        return (Stats.Percentile(lags, 50), Stats.Percentile(lags, 99));
    }
}
