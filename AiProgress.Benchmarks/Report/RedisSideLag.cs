using AiProgress.Benchmarks.Pipeline;
using AiProgress.Jobs;
using AiProgress.Testing;
using StackExchange.Redis;

namespace AiProgress.Benchmarks.Report;

/// <summary>
/// The worker's share of the newest-token lag: from the scripted server writing a text event's newest token to Redis
/// taking the event (its stream id is Redis's clock in milliseconds). Splits a lag between the worker's side and the
/// API's, and says which of a job's tokens wait longest (the first, when every job starts at once; the last, when
/// they all end at once). The two clocks are tied once (wall clock against the monotonic one), so figures are ±1 ms.
/// </summary>
internal static class RedisSideLag
{
    public sealed record Result(double P50, double P99, IReadOnlyList<(int Token, double P50, double P99)> ByToken)
    {
        public string ByTokenText => string.Join(", ", ByToken.Select(t => $"#{t.Token} {t.P50:F0}/{t.P99:F0}"));
    }

    public static async Task<Result> MeasureAsync(IDatabase redis, IReadOnlyList<string> jobIds, int sample = 2500)
    {
        var wallMinusMonotonicMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - MicroClock.NowMicros / 1000.0;
        var lags = new List<double>();
        var byToken = new SortedDictionary<int, List<double>>();
        foreach (var jobId in jobIds.Take(sample))
        {
            var tokens = 0;
            foreach (var entry in await redis.StreamRangeAsync(RedisKeys.JobEvents(jobId)))
            {
                if ((string?)entry["type"] != "text") continue;
                var data = System.Text.Json.JsonDocument.Parse((string)entry["data"]!).RootElement;
                var stamps = MicroClock.StampsIn(data.GetProperty("delta").GetString()!).ToArray();
                if (stamps.Length == 0) continue;
                tokens += stamps.Length;
                var appendedMs = long.Parse(((string)entry.Id!).Split('-')[0], System.Globalization.CultureInfo.InvariantCulture);
                var lag = appendedMs - (stamps.Max() / 1000.0 + wallMinusMonotonicMs);
                lags.Add(lag);
                if (!byToken.TryGetValue(tokens, out var list)) byToken[tokens] = list = [];
                list.Add(lag);
            }
        }

        return new Result(Stats.Percentile(lags, 50), Stats.Percentile(lags, 99),
            [.. byToken.Select(p => (p.Key, Stats.Percentile(p.Value, 50), Stats.Percentile(p.Value, 99)))]);
    }
}
