using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AiProgress.Tests.Infrastructure;

namespace AiProgress.Tests.Api;

/// <summary>Identities the server issues and nobody can choose: the cookie, API keys, and how many a source address gets.</summary>
public class IdentityTests(ApiOnlyFixture system) : IClassFixture<ApiOnlyFixture>
{
    private const string CookieName = "aiprogress_client";
    private const string Generation = "/api/v1/ai/generation";

    private ApiServer StartApi(params (string Key, string Value)[] overrides) => system.StartApi(overrides);

    private static HttpClient BareClient(Uri baseAddress) => ApiServer.BareClient(baseAddress);

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string path,
        string? cookie = null, string? bearer = null, string? forwardedFor = null, string? forwardedProto = null, object? json = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (cookie is not null) request.Headers.Add("Cookie", cookie);
        if (bearer is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        if (forwardedFor is not null) request.Headers.Add("X-Forwarded-For", forwardedFor);
        if (forwardedProto is not null) request.Headers.Add("X-Forwarded-Proto", forwardedProto);
        if (json is not null) request.Content = JsonContent.Create(json);
        return await client.SendAsync(request);
    }

    private static string? SetCookie(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Set-Cookie", out var values) ? values.Single() : null;

    private static string CookiePair(HttpResponseMessage response) => SetCookie(response)!.Split(';')[0];

    [Fact]
    public async Task A_forged_cookie_never_becomes_an_identity()
    {
        var victimJob = await system.CreateJobAsync("the victim's", maxTokens: 3);
        using var attacker = BareClient(system.Api.BaseAddress);
        // The old format: any 32 hex digits were adopted as an identity.
        var forged = $"{CookieName}={Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16))}";

        using var probe = await SendAsync(attacker, HttpMethod.Get, $"{Generation}/{victimJob}/status", cookie: forged);
        using var created = await SendAsync(attacker, HttpMethod.Post, Generation, cookie: forged, json: new { prompt = "mine?", max_tokens = 3 });
        using var again = await SendAsync(attacker, HttpMethod.Get, Generation, cookie: forged);
        using var issued = await SendAsync(attacker, HttpMethod.Get, Generation, cookie: CookiePair(created));

        Assert.Equal(HttpStatusCode.NotFound, probe.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, created.StatusCode);
        Assert.NotEqual(forged, CookiePair(created));
        var createdId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("job_id").GetString();
        Assert.Empty((await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items").EnumerateArray());
        Assert.NotNull(SetCookie(again));
        Assert.Equal(createdId, (await issued.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items")[0].GetProperty("job_id").GetString());
        Assert.Null(SetCookie(issued));
    }

    [Fact]
    public async Task A_tampered_cookie_gets_a_new_identity()
    {
        using var client = BareClient(system.Api.BaseAddress);
        using var first = await SendAsync(client, HttpMethod.Post, Generation, json: new { prompt = "to be tampered with", max_tokens = 3 });
        var cookie = CookiePair(first);
        var value = cookie[(CookieName.Length + 1)..];
        var flipped = value[..10] + (value[10] == 'A' ? 'B' : 'A') + value[11..];

        using var tampered = await SendAsync(client, HttpMethod.Get, Generation, cookie: $"{CookieName}={flipped}");

        Assert.NotNull(SetCookie(tampered));
        Assert.Empty((await tampered.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task A_cookie_one_replica_issued_is_read_by_another()
    {
        await using var replica = StartApi();
        using var client = BareClient(system.Api.BaseAddress);
        using var created = await SendAsync(client, HttpMethod.Post, Generation, json: new { prompt = "replicated", max_tokens = 3 });
        var jobId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("job_id").GetString();
        using var onReplica = BareClient(replica.BaseAddress);

        using var status = await SendAsync(onReplica, HttpMethod.Get, $"{Generation}/{jobId}/status", cookie: CookiePair(created));

        Assert.Equal(HttpStatusCode.OK, status.StatusCode);
        Assert.Null(SetCookie(status));
    }

    [Fact]
    public async Task Behind_a_trusted_TLS_proxy_the_cookie_is_Secure_with_the_Host_prefix()
    {
        using var client = BareClient(system.Api.BaseAddress);

        using var response = await SendAsync(client, HttpMethod.Get, Generation, forwardedProto: "https");

        var cookie = SetCookie(response)!.ToLowerInvariant();
        Assert.StartsWith("__host-aiprogress_client=", cookie);
        Assert.Contains("; secure", cookie);
        Assert.Contains("; path=/", cookie);
        Assert.Contains("; httponly", cookie);
        Assert.Contains("; samesite=lax", cookie);
        Assert.DoesNotContain("domain=", cookie);
    }

    [Fact]
    public async Task Forwarded_headers_from_a_proxy_not_configured_are_ignored()
    {
        await using var api = StartApi(("Api:KnownProxies:0", "10.9.8.7"));
        using var client = BareClient(api.BaseAddress);

        using var response = await SendAsync(client, HttpMethod.Get, Generation, forwardedProto: "https", forwardedFor: "203.0.113.50");

        Assert.StartsWith($"{CookieName}=", SetCookie(response));
        Assert.DoesNotContain("secure", SetCookie(response)!, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Outside_Development_the_cookie_is_Secure_with_the_Host_prefix()
    {
        await using var api = StartApi(("environment", "Production"));
        using var client = BareClient(api.BaseAddress);

        using var response = await SendAsync(client, HttpMethod.Get, Generation);

        Assert.StartsWith("__Host-aiprogress_client=", SetCookie(response));
        Assert.Contains("; secure", SetCookie(response)!, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task An_API_key_is_its_own_client_and_a_wrong_or_unknown_one_is_401()
    {
        var plainKey = new string('k', 40);
        var hashedKey = "a-key-only-its-hash-is-configured-for-0123";
        await using var api = StartApi(("Api:ApiKeys:0", plainKey),
            ("Api:ApiKeySha256:0", Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(hashedKey)))));
        using var client = BareClient(api.BaseAddress);

        using var created = await SendAsync(client, HttpMethod.Post, Generation, bearer: plainKey, json: new { prompt = "by key", max_tokens = 3 });
        using var listed = await SendAsync(client, HttpMethod.Get, Generation, bearer: plainKey);
        using var other = await SendAsync(client, HttpMethod.Get, Generation, bearer: hashedKey);
        using var wrong = await SendAsync(client, HttpMethod.Get, Generation, bearer: plainKey + "x");
        using var unknownHere = await SendAsync(BareClient(system.Api.BaseAddress), HttpMethod.Get, Generation, bearer: plainKey);

        Assert.Equal(HttpStatusCode.Accepted, created.StatusCode);
        Assert.Null(SetCookie(created));
        Assert.Single((await listed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items").EnumerateArray());
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        Assert.Empty((await other.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items").EnumerateArray());
        foreach (var refused in new[] { wrong, unknownHere })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            Assert.Contains("Bearer", refused.Headers.WwwAuthenticate.ToString());
            Assert.Null(SetCookie(refused));
        }
    }

    [Fact]
    public void An_API_key_shorter_than_32_characters_stops_the_API_at_start()
    {
        var failure = Assert.ThrowsAny<Exception>(() => StartApi(("Api:ApiKeys:0", "short-key")).Dispose());

        Assert.Contains("at least 32", failure.ToString());
    }

    [Fact]
    public async Task New_identities_per_address_are_limited_and_a_kept_cookie_is_not()
    {
        await using var api = StartApi(("Api:NewIdentitiesPerMinutePerAddress", "2"));
        using var client = BareClient(api.BaseAddress);

        using var first = await SendAsync(client, HttpMethod.Get, Generation);
        using var second = await SendAsync(client, HttpMethod.Get, Generation);
        using var third = await SendAsync(client, HttpMethod.Get, Generation);
        using var kept = await SendAsync(client, HttpMethod.Get, Generation, cookie: CookiePair(first));
        using var elsewhere = await SendAsync(client, HttpMethod.Get, Generation, forwardedFor: "198.51.100.7");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, third.StatusCode);
        Assert.True(third.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Equal("application/problem+json", third.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.OK, kept.StatusCode);
        Assert.Equal(HttpStatusCode.OK, elsewhere.StatusCode);
    }
}
