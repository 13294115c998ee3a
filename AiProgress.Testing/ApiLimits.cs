namespace AiProgress.Testing;

/// <summary>Tests and benchmarks create and watch far more than a person would, all from loopback: every API limit out of the way.</summary>
public static class ApiLimits
{
    public static IEnumerable<KeyValuePair<string, string?>> OutOfTheWay() =>
        new Dictionary<string, string?>
        {
            ["Api:CreatePerMinute"] = "1000000",
            ["Api:CreatePerMinutePerAddress"] = "1000000",
            ["Api:CreatePerMinuteTotal"] = "1000000",
            ["Api:MaxOpenJobsPerClient"] = "1000000",
            ["Api:MaxQueueLength"] = "1000000",
            ["Api:NewIdentitiesPerMinutePerAddress"] = "1000000",
            ["Api:MaxStreamsPerClient"] = "100000",
            ["Api:MaxStreamsPerAddress"] = "100000",
            ["Api:MaxStreamsPerProcess"] = "100000",
        };
}
