using System.Net;
using System.Net.Http.Json;
using AiProgress.Tests.Infrastructure;

namespace AiProgress.Tests.Api;

/// <summary>Limits and stream housekeeping, each on an API replica started with its own settings.</summary>
public class ApiLimitsTests(ApiOnlyFixture system) : IClassFixture<ApiOnlyFixture>
{
    private ApiServer StartApi(params (string Key, string Value)[] overrides) => system.StartApi(overrides);

    [Fact]
    public async Task Creating_too_fast_is_answered_429_with_Retry_After()
    {
        await using var api = StartApi(("Api:CreatePerMinute", "2"));
        using var client = api.CreateBrowserClient();

        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? last = null;
        for (var i = 0; i < 3; i++)
        {
            last = await client.PostAsJsonAsync("/api/v1/ai/generation", new { prompt = $"rate {i}", max_tokens = 3 });
            statuses.Add(last.StatusCode);
        }

        Assert.Equal([HttpStatusCode.Accepted, HttpStatusCode.Accepted, HttpStatusCode.TooManyRequests], statuses);
        Assert.True(last!.Headers.RetryAfter?.Delta > TimeSpan.Zero, "Retry-After names a wait");
        Assert.Equal("application/problem+json", last.Content.Headers.ContentType?.MediaType);
        using var otherClient = api.CreateBrowserClient();
        var other = await otherClient.PostAsJsonAsync("/api/v1/ai/generation", new { prompt = "another client", max_tokens = 3 });
        Assert.Equal(HttpStatusCode.Accepted, other.StatusCode);
    }

    [Fact]
    public async Task A_client_may_hold_only_so_many_streams_and_a_closed_one_frees_its_place()
    {
        await using var api = StartApi(("Api:MaxStreamsPerClient", "1"));
        using var client = api.CreateBrowserClient();
        var jobId = await system.CreateJobAsync("queued, watched twice", maxTokens: 3, client: client);

        var first = await SseClient.OpenAsync(client, jobId);
        var second = await SseClient.OpenAsync(client, jobId);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);

        first.Dispose();
        await Eventually.WaitUntilAsync(async () =>
        {
            using var third = await SseClient.OpenAsync(client, jobId);
            return third.StatusCode == HttpStatusCode.OK;
        }, TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_quiet_stream_gets_a_heartbeat_comment_and_a_timeout_event_when_it_has_lasted_too_long()
    {
        await using var api = StartApi(("Api:HeartbeatInterval", "00:00:00.300"), ("Api:StreamTimeout", "00:00:01.500"));
        using var client = api.CreateBrowserClient();
        // No worker runs in this fixture: the job stays queued and its stream stays quiet.
        var jobId = await system.CreateJobAsync("quiet", maxTokens: 3, client: client);

        using var response = await SseClient.OpenAsync(client, jobId);
        var raw = await response.Content.ReadAsStringAsync().WaitAsync(TimeSpan.FromSeconds(10));

        Assert.True(response.Headers.CacheControl?.NoCache);
        Assert.Contains("no", response.Headers.GetValues("X-Accel-Buffering"));
        Assert.Contains("\n: ping\n", raw);
        Assert.Contains("event: timeout\n", raw);
        Assert.Contains("\"error\":\"stream timeout\"", raw);
        Assert.Contains("\"queue_position\":", raw);
    }

    [Fact]
    public async Task Queued_jobs_report_their_place_in_the_queue_on_create_status_and_stream()
    {
        // No worker runs in this fixture, so every job stays queued behind the ones before it.
        var positions = new List<int>();
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var response = await system.Client.PostAsJsonAsync("/api/v1/ai/generation", new { prompt = $"in line {i}", max_tokens = 3 });
            var body = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal("queued", body.GetProperty("status").GetString());
            positions.Add(body.GetProperty("queue_position").GetInt32());
            ids.Add(body.GetProperty("job_id").GetString()!);
        }

        var status = await system.GetStatusAsync(ids[2]);
        var events = await SseClient.ReadAsync(system.Client, ids[2], stopAfter: _ => true);

        Assert.Equal([positions[0], positions[0] + 1, positions[0] + 2], positions);
        Assert.Equal(positions[2], status.GetProperty("queue_position").GetInt32());
        Assert.Equal("queued", events[0].Data.GetProperty("status").GetString());
        Assert.Equal(positions[2], events[0].Data.GetProperty("queue_position").GetInt32());
    }

    [Fact]
    public async Task CORS_answers_the_web_origin_only()
    {
        await using var api = StartApi(("Api:WebOrigin", "http://localhost:5173"));
        using var client = new HttpClient { BaseAddress = api.BaseAddress };

        async Task<string?> AllowedOriginFor(string origin)
        {
            using var preflight = new HttpRequestMessage(HttpMethod.Options, "/api/v1/ai/generation");
            preflight.Headers.Add("Origin", origin);
            preflight.Headers.Add("Access-Control-Request-Method", "POST");
            using var response = await client.SendAsync(preflight);
            return response.Headers.TryGetValues("Access-Control-Allow-Origin", out var values) ? values.Single() : null;
        }

        Assert.Equal("http://localhost:5173", await AllowedOriginFor("http://localhost:5173"));
        Assert.Null(await AllowedOriginFor("http://evil.example"));
    }
}
