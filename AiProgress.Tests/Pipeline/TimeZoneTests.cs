using System.Net.Http.Json;
using System.Text.Json;
using AiProgress.Tests.Infrastructure;

namespace AiProgress.Tests.Pipeline;

/// <summary>
/// MySQL's DATETIME has no zone: a service on a machine west of UTC once reported elapsed_time 0, one east of
/// it hours. Here the API and the worker run as processes in such zones, and the numbers must still be right.
/// </summary>
public class TimeZoneTests(ApiOnlyFixture system) : IClassFixture<ApiOnlyFixture>
{
    [Theory]
    [InlineData("America/Los_Angeles")]
    [InlineData("Asia/Tokyo")]
    public async Task Elapsed_time_and_the_ETA_are_right_whatever_the_machines_time_zone(string zone)
    {
        var environment = new Dictionary<string, string> { ["TZ"] = zone };
        await using var worker = ServiceProcess.StartWorker(system.WorkerConfiguration(), environment);
        await using var api = ServiceProcess.StartApi(system.ApiConfiguration(), out var url, environment);
        using var client = new HttpClient { BaseAddress = url };
        await Eventually.TrueAsync(async () => await TryGetAsync(client, "/health") == 200, () => api.Output, TimeSpan.FromSeconds(60));

        system.Ollama.Enqueue(OllamaScript.Steady(60, 30));
        var created = await client.PostAsJsonAsync("/api/v1/ai/generation", new { prompt = $"a story in {zone}", max_tokens = 60 });
        var jobId = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("job_id").GetString()!;

        var samples = new List<(DateTimeOffset At, JsonElement Status)>();
        JsonElement status;
        do
        {
            await Task.Delay(150);
            status = JsonDocument.Parse(await client.GetStringAsync($"/api/v1/ai/generation/{jobId}/status")).RootElement;
            samples.Add((DateTimeOffset.UtcNow, status));
        }
        while (status.GetProperty("status").GetString() is "queued" or "processing" && samples.Count < 400);

        Assert.Equal("completed", status.GetProperty("status").GetString());
        var startedAt = status.GetProperty("started_at").GetDateTimeOffset();
        var completedAt = status.GetProperty("completed_at").GetDateTimeOffset();
        Assert.Equal(TimeSpan.Zero, startedAt.Offset);
        var finalElapsed = status.GetProperty("elapsed_time").GetInt64();
        Assert.InRange(finalElapsed, 1500, 10_000);
        Assert.InRange(Math.Abs(finalElapsed - (completedAt - startedAt).TotalMilliseconds), 0, 1000);

        var running = samples.Where(s => s.Status.GetProperty("status").GetString() == "processing" && s.Status.GetProperty("current_tokens").GetInt32() > 5).ToList();
        Assert.NotEmpty(running);
        foreach (var (at, sample) in running)
        {
            var elapsed = sample.GetProperty("elapsed_time").GetInt64();
            // The row is written every 0.5 s, so it lags the wall clock by that much plus the write and the read; a
            // zone error is hours off. Under a busy run of the suite one sample lagged 1.6 s (fresh processes' first writes).
            Assert.InRange((at - startedAt).TotalMilliseconds - elapsed, -250, 3000);
            // A zone error puts the ETA hours off; a busy machine slowing the stream for a moment may stretch a 2 s job's
            // ETA to a few seconds (5.4 s once, under the full suite), which is the estimate working, not a zone error.
            var eta = sample.GetProperty("estimated_time_remaining").GetInt64();
            Assert.InRange(eta, 0, 60_000);
        }
    }

    private static async Task<int> TryGetAsync(HttpClient client, string path)
    {
        try
        {
            using var response = await client.GetAsync(path);
            return (int)response.StatusCode;
        }
        catch (HttpRequestException)
        {
            return 0;
        }
    }
}
