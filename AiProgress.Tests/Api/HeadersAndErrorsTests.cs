using System.Net;
using AiProgress.Jobs.Data;
using AiProgress.Tests.Infrastructure;

namespace AiProgress.Tests.Api;

/// <summary>What every response carries, and what no error body ever does.</summary>
public class HeadersAndErrorsTests(ApiOnlyFixture system) : IClassFixture<ApiOnlyFixture>
{
    [Fact]
    public async Task Every_API_response_says_nosniff_and_names_no_server()
    {
        var jobId = await system.CreateJobAsync("headers", maxTokens: 3);
        string[] paths = ["/api/v1/ai/generation", $"/api/v1/ai/generation/{jobId}/status", $"/api/v1/ai/generation/{Guid.NewGuid()}/status",
            "/api/v1/ai/generation/nope/status", "/api/v1/ai/models", "/api/v1/nothing-here", "/alive"];

        foreach (var path in paths)
        {
            using var response = await system.Client.GetAsync(path);
            Assert.True(response.Headers.TryGetValues("X-Content-Type-Options", out var values) && values.Single() == "nosniff", $"{path}: no nosniff");
            Assert.False(response.Headers.Contains("Server"), $"{path}: Server {string.Join(",", response.Headers.Server)}");
        }

        using var stream = await SseClient.OpenAsync(system.Client, jobId);
        Assert.Contains("nosniff", stream.Headers.GetValues("X-Content-Type-Options"));
    }

    [Fact]
    public async Task An_unreachable_LLM_server_is_a_503_that_names_no_host_or_port()
    {
        var settings = system.ApiConfiguration();
        settings["Ollama:Endpoint"] = "http://127.0.0.1:9";
        await using var api = ApiServer.Start(settings);
        using var client = api.CreateBrowserClient();

        using var models = await client.GetAsync("/api/v1/ai/models");
        using var create = await client.PostAsync("/api/v1/ai/generation",
            new StringContent("""{"prompt":"hi"}""", System.Text.Encoding.UTF8, "application/json"));

        foreach (var response in new[] { models, create })
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.DoesNotContain("127.0.0.1", body);
            Assert.DoesNotContain(":9", body);
            Assert.DoesNotContain("   at ", body);
        }
    }

    [Theory]
    [InlineData("Ollama error: Connection refused (127.0.0.1:11500)", "Ollama error: Connection refused ([server])")]
    [InlineData("Ollama error: Name or service not known (ollama:11434)", "Ollama error: Name or service not known ([server])")]
    [InlineData("Ollama error: An error occurred while sending the request to http://10.0.0.5:11434/api/chat.", "Ollama error: An error occurred while sending the request to [server]")]
    [InlineData("Ollama error: Connection refused ([::1]:11434)", "Ollama error: Connection refused ([server])")]
    [InlineData("Could not connect: Server=db;Port=3306;User ID=root;Password=hunter2", "Could not connect: ")]
    [InlineData("Ollama error: Response status code does not indicate success: 503 (Service Unavailable).", "Ollama error: Response status code does not indicate success: 503 (Service Unavailable).")]
    [InlineData("Ollama API timeout: no first token after 5 s", "Ollama API timeout: no first token after 5 s")]
    public void Error_messages_for_clients_name_no_server(string raw, string shown)
    {
        Assert.Equal(shown, ClientErrorMessage.Sanitize(raw));
    }
}
