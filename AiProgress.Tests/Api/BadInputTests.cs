using System.Net;
using System.Text;
using System.Text.Json;
using AiProgress.Tests.Infrastructure;

namespace AiProgress.Tests.Api;

/// <summary>Every mistake a caller can make gets the right 4xx problem naming the field, never a 5xx.</summary>
public class BadInputTests(ApiOnlyFixture system) : IClassFixture<ApiOnlyFixture>
{
    private const string Json = "application/json";
    private static readonly string ValidId = Guid.NewGuid().ToString();

    public static TheoryData<string, string, string, string?, string?, int, string?> Cases() => new()
    {
        // name, method, path, content type, body, expected status, field named in "errors"
        { "empty prompt", "POST", "/api/v1/ai/generation", Json, """{"prompt":""}""", 400, "prompt" },
        { "whitespace prompt", "POST", "/api/v1/ai/generation", Json, """{"prompt":"   \n\t "}""", 400, "prompt" },
        { "missing prompt", "POST", "/api/v1/ai/generation", Json, """{"max_tokens":5}""", 400, "prompt" },
        { "null prompt", "POST", "/api/v1/ai/generation", Json, """{"prompt":null}""", 400, "prompt" },
        { "number prompt", "POST", "/api/v1/ai/generation", Json, """{"prompt":42}""", 400, "prompt" },
        { "array prompt", "POST", "/api/v1/ai/generation", Json, """{"prompt":["a"]}""", 400, "prompt" },
        { "prompt too long", "POST", "/api/v1/ai/generation", Json, $$"""{"prompt":"{{new string('a', 32_769)}}"}""", 400, "prompt" },
        { "max_tokens zero", "POST", "/api/v1/ai/generation", Json, """{"prompt":"hi","max_tokens":0}""", 400, "max_tokens" },
        { "max_tokens negative", "POST", "/api/v1/ai/generation", Json, """{"prompt":"hi","max_tokens":-5}""", 400, "max_tokens" },
        { "max_tokens huge", "POST", "/api/v1/ai/generation", Json, """{"prompt":"hi","max_tokens":8193}""", 400, "max_tokens" },
        { "max_tokens beyond int", "POST", "/api/v1/ai/generation", Json, """{"prompt":"hi","max_tokens":99999999999999999999}""", 400, "max_tokens" },
        { "max_tokens fraction", "POST", "/api/v1/ai/generation", Json, """{"prompt":"hi","max_tokens":1.5}""", 400, "max_tokens" },
        { "max_tokens string", "POST", "/api/v1/ai/generation", Json, """{"prompt":"hi","max_tokens":"ten"}""", 400, "max_tokens" },
        { "temperature too high", "POST", "/api/v1/ai/generation", Json, """{"prompt":"hi","temperature":2.5}""", 400, "temperature" },
        { "temperature negative", "POST", "/api/v1/ai/generation", Json, """{"prompt":"hi","temperature":-0.1}""", 400, "temperature" },
        { "temperature string", "POST", "/api/v1/ai/generation", Json, """{"prompt":"hi","temperature":"hot"}""", 400, "temperature" },
        { "system too long", "POST", "/api/v1/ai/generation", Json, $$"""{"prompt":"hi","system":"{{new string('s', 8_193)}}"}""", 400, "system" },
        { "system number", "POST", "/api/v1/ai/generation", Json, """{"prompt":"hi","system":7}""", 400, "system" },
        { "unknown model", "POST", "/api/v1/ai/generation", Json, """{"prompt":"hi","model":"gpt-17"}""", 400, "model" },
        { "model number", "POST", "/api/v1/ai/generation", Json, """{"prompt":"hi","model":3}""", 400, "model" },
        { "SQL in model", "POST", "/api/v1/ai/generation", Json, """{"prompt":"hi","model":"x'; DROP TABLE ai_generation_jobs; --"}""", 400, "model" },
        { "control characters in prompt", "POST", "/api/v1/ai/generation", Json, """{"prompt":"\u0000\u0001\u0002"}""", 400, "prompt" },
        { "malformed JSON", "POST", "/api/v1/ai/generation", Json, """{"prompt":"hi",""", 400, null },
        { "JSON array body", "POST", "/api/v1/ai/generation", Json, """["hi"]""", 400, null },
        { "JSON string body", "POST", "/api/v1/ai/generation", Json, "\"hi\"", 400, null },
        { "empty body", "POST", "/api/v1/ai/generation", Json, "", 400, null },
        { "text/plain", "POST", "/api/v1/ai/generation", "text/plain", """{"prompt":"hi"}""", 415, null },
        { "form post", "POST", "/api/v1/ai/generation", "application/x-www-form-urlencoded", "prompt=hi", 415, null },
        { "no content type", "POST", "/api/v1/ai/generation", null, """{"prompt":"hi"}""", 415, null },
        { "1 MB body", "POST", "/api/v1/ai/generation", Json, $$"""{"prompt":"{{new string('x', 1 << 20)}}"}""", 413, null },
        { "65 KiB body", "POST", "/api/v1/ai/generation", Json, $$"""{"prompt":"hi","system":"{{new string('y', 65 * 1024)}}"}""", 413, null },
        { "status of a malformed id", "GET", "/api/v1/ai/generation/not-a-uuid/status", null, null, 400, null },
        { "status with SQL as id", "GET", "/api/v1/ai/generation/1%27%20OR%20%271%27%3D%271/status", null, null, 400, null },
        { "status of an unknown id", "GET", $"/api/v1/ai/generation/{ValidId}/status", null, null, 404, null },
        { "progress of an unknown id", "GET", $"/api/v1/ai/generation/{ValidId}/progress", null, null, 404, null },
        { "progress of a malformed id", "GET", "/api/v1/ai/generation/%F0%9F%98%80/progress", null, null, 400, null },
        { "cancel of an unknown id", "POST", $"/api/v1/ai/generation/{ValidId}/cancel", null, null, 404, null },
        { "cancel of a malformed id", "POST", "/api/v1/ai/generation/abc/cancel", null, null, 400, null },
        { "list with an unknown status", "GET", "/api/v1/ai/generation?status=exploded", null, null, 400, "status" },
        { "list with limit 0", "GET", "/api/v1/ai/generation?limit=0", null, null, 400, "limit" },
        { "list with limit 101", "GET", "/api/v1/ai/generation?limit=101", null, null, 400, "limit" },
        { "list with a word as limit", "GET", "/api/v1/ai/generation?limit=many", null, null, 400, "limit" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_bad_request_gets_the_right_problem(string name, string method, string path, string? contentType, string? body, int expected, string? field)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (body is not null)
        {
            request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
            if (contentType is not null) request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }

        using var response = await system.Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();

        Assert.True(expected == (int)response.StatusCode, $"{name}: {(int)response.StatusCode} {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(text).RootElement;
        Assert.Equal(expected, problem.GetProperty("status").GetInt32());
        Assert.DoesNotContain("   at ", text);
        if (field is not null)
        {
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"{name}: no error for '{field}' in {text}");
        }
    }

    [Fact]
    public async Task Unicode_and_SQL_looking_prompts_are_stored_exactly_as_sent()
    {
        const string prompt = "Ünïcödé 🐉 \"quotes\" '); DROP TABLE ai_generation_jobs; -- 中文";
        var jobId = await system.CreateJobAsync(prompt, maxTokens: 3);

        var row = await system.ReadRowAsync(jobId);

        Assert.Equal(prompt, row.Prompt);
        Assert.Equal("queued", row.Status);
    }

    [Fact]
    public async Task Rejected_requests_leave_no_job_behind()
    {
        var before = JsonDocument.Parse(await system.Client.GetStringAsync("/api/v1/ai/generation?limit=100")).RootElement.GetProperty("items").GetArrayLength();

        foreach (var body in new[] { """{"prompt":""}""", """{"prompt":"hi","max_tokens":-1}""", """{"prompt":"hi","model":"nope"}""" })
        {
            using var content = new StringContent(body, Encoding.UTF8, Json);
            Assert.Equal(HttpStatusCode.BadRequest, (await system.Client.PostAsync("/api/v1/ai/generation", content)).StatusCode);
        }

        var after = JsonDocument.Parse(await system.Client.GetStringAsync("/api/v1/ai/generation?limit=100")).RootElement.GetProperty("items").GetArrayLength();
        Assert.Equal(before, after);
    }
}
