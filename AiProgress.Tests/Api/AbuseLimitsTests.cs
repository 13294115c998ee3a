using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using AiProgress.Jobs;
using AiProgress.Tests.Infrastructure;

namespace AiProgress.Tests.Api;

/// <summary>Limits that hold when a client drops its cookie, opens many streams or floods the queue; each with its own setting.</summary>
public class AbuseLimitsTests(ApiOnlyFixture system) : IClassFixture<ApiOnlyFixture>
{
    private const string Generation = "/api/v1/ai/generation";

    private ApiServer StartApi(params (string Key, string Value)[] overrides) => system.StartApi(overrides);

    private static HttpClient BareClient(Uri baseAddress) => ApiServer.BareClient(baseAddress);

    /// <summary>A create with no cookie at all, from <paramref name="address"/> as a trusted proxy (loopback) reports it.</summary>
    private static async Task<HttpResponseMessage> CreateWithoutCookieAsync(HttpClient client, string? address = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Generation) { Content = JsonContent.Create(new { prompt = "no cookie", max_tokens = 3 }) };
        if (address is not null) request.Headers.Add("X-Forwarded-For", address);
        return await client.SendAsync(request);
    }

    private static async Task<HttpResponseMessage> OpenStreamAsync(HttpClient client, string jobId, string? address = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"{Generation}/{jobId}/progress");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (address is not null) request.Headers.Add("X-Forwarded-For", address);
        return await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }

    [Fact]
    public async Task Dropping_the_cookie_gains_nothing_against_the_per_address_create_limit()
    {
        await using var api = StartApi(("Api:CreatePerMinutePerAddress", "3"));
        using var client = BareClient(api.BaseAddress);

        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? last = null;
        for (var i = 0; i < 6; i++)
        {
            last = await CreateWithoutCookieAsync(client);
            statuses.Add(last.StatusCode);
        }

        using var elsewhere = await CreateWithoutCookieAsync(client, "192.0.2.44");

        Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.Accepted, 3), .. Enumerable.Repeat(HttpStatusCode.TooManyRequests, 3)], statuses);
        Assert.True(last!.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Equal("application/problem+json", last.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.Accepted, elsewhere.StatusCode);
    }

    [Fact]
    public async Task Creates_from_everyone_together_are_limited()
    {
        await using var api = StartApi(("Api:CreatePerMinuteTotal", "2"));
        using var client = BareClient(api.BaseAddress);

        var statuses = new List<HttpStatusCode>();
        foreach (var address in new[] { "192.0.2.1", "192.0.2.2", "192.0.2.3" })
        {
            statuses.Add((await CreateWithoutCookieAsync(client, address)).StatusCode);
        }

        Assert.Equal([HttpStatusCode.Accepted, HttpStatusCode.Accepted, HttpStatusCode.TooManyRequests], statuses);
    }

    [Fact]
    public async Task A_client_may_have_only_so_many_queued_or_running_jobs()
    {
        await using var api = StartApi(("Api:MaxOpenJobsPerClient", "2"));
        using var client = api.CreateBrowserClient();
        var first = await system.CreateJobAsync("open 1", maxTokens: 3, client: client);
        await system.CreateJobAsync("open 2", maxTokens: 3, client: client);

        using var third = await client.PostAsJsonAsync(Generation, new { prompt = "open 3", max_tokens = 3 });
        (await client.PostAsync($"{Generation}/{first}/cancel", null)).EnsureSuccessStatusCode();
        using var afterCancel = await client.PostAsJsonAsync(Generation, new { prompt = "open 3 again", max_tokens = 3 });

        Assert.Equal(HttpStatusCode.TooManyRequests, third.StatusCode);
        Assert.True(third.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Equal(HttpStatusCode.Accepted, afterCancel.StatusCode);
    }

    [Fact]
    public async Task A_full_queue_answers_503_with_Retry_After_and_creates_nothing()
    {
        var length = await system.RedisConnection.GetDatabase().StreamLengthAsync(RedisKeys.Queue);
        await using var api = StartApi(("Api:MaxQueueLength", (length + 1).ToString()));
        using var client = api.CreateBrowserClient();
        await system.CreateJobAsync("the last place", maxTokens: 3, client: client);

        using var refused = await client.PostAsJsonAsync(Generation, new { prompt = "no room", max_tokens = 3 });
        var listed = await client.GetFromJsonAsync<System.Text.Json.JsonElement>(Generation);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Single(listed.GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task Streams_per_client_are_counted_across_replicas()
    {
        await using var replicaA = StartApi(("Api:MaxStreamsPerClient", "1"));
        await using var replicaB = StartApi(("Api:MaxStreamsPerClient", "1"));
        using var onA = BareClient(replicaA.BaseAddress);
        using var onB = BareClient(replicaB.BaseAddress);
        using var created = await onA.PostAsJsonAsync(Generation, new { prompt = "watched on two replicas", max_tokens = 3 });
        var cookie = created.Headers.GetValues("Set-Cookie").Single().Split(';')[0];
        onA.DefaultRequestHeaders.Add("Cookie", cookie);
        onB.DefaultRequestHeaders.Add("Cookie", cookie);
        var jobId = (await created.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("job_id").GetString()!;

        var first = await OpenStreamAsync(onA, jobId);
        using var second = await OpenStreamAsync(onB, jobId);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
        first.Dispose();
        await Eventually.TrueAsync(async () =>
        {
            using var third = await OpenStreamAsync(onB, jobId);
            return third.StatusCode == HttpStatusCode.OK;
        }, () => "the closed stream's lease was never released", TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Streams_per_address_are_limited_whatever_the_client()
    {
        await using var api = StartApi(("Api:MaxStreamsPerAddress", "1"));
        using var one = api.CreateBrowserClient();
        using var two = api.CreateBrowserClient();
        var jobOne = await system.CreateJobAsync("address one", maxTokens: 3, client: one);
        var jobTwo = await system.CreateJobAsync("address two", maxTokens: 3, client: two);

        using var first = await OpenStreamAsync(one, jobOne);
        using var sameAddress = await OpenStreamAsync(two, jobTwo);
        using var otherAddress = await OpenStreamAsync(two, jobTwo, "198.51.100.20");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, sameAddress.StatusCode);
        Assert.Equal(HttpStatusCode.OK, otherAddress.StatusCode);
    }

    [Fact]
    public async Task Streams_per_process_are_limited_whatever_the_client_and_address()
    {
        await using var api = StartApi(("Api:MaxStreamsPerProcess", "1"));
        using var one = api.CreateBrowserClient();
        using var two = api.CreateBrowserClient();
        var jobOne = await system.CreateJobAsync("process one", maxTokens: 3, client: one);
        var jobTwo = await system.CreateJobAsync("process two", maxTokens: 3, client: two);

        using var first = await OpenStreamAsync(one, jobOne, "198.51.100.31");
        using var second = await OpenStreamAsync(two, jobTwo, "198.51.100.32");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
    }
}
