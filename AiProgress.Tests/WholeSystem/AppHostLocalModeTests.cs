using System.Net.Http.Json;
using System.Text.Json;

namespace AiProgress.Tests.WholeSystem;

[Collection(AspireSystemCollection.Name)]
public class AppHostLocalModeTests(AspireSystemFixture system)
{
    [Fact]
    public async Task Every_resource_becomes_healthy_and_a_job_is_generated_by_the_real_model()
    {
        using var client = system.CreateApiClient();

        var models = JsonDocument.Parse(await client.GetStringAsync("/api/v1/ai/models")).RootElement;
        var created = await client.PostAsJsonAsync("/api/v1/ai/generation", new { prompt = "Once upon a time", max_tokens = 60 });
        var jobId = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("job_id").GetString();
        JsonElement status;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        do
        {
            await Task.Delay(200);
            status = JsonDocument.Parse(await client.GetStringAsync($"/api/v1/ai/generation/{jobId}/status")).RootElement;
        }
        while (status.GetProperty("status").GetString() is "queued" or "processing" && DateTime.UtcNow < deadline);

        Assert.Equal("stories260K", models.GetProperty("default_model").GetString());
        Assert.Equal(System.Net.HttpStatusCode.Accepted, created.StatusCode);
        Assert.Equal("completed", status.GetProperty("status").GetString());
        // At most the limit; fewer when the story ends by itself (a generated BOS).
        Assert.InRange(status.GetProperty("completion_tokens").GetInt32(), 10, 60);
        var text = status.GetProperty("text").GetString()!;
        Assert.True(text.Split(' ').Length > 20, $"real generated text expected, got '{text}'");
        Assert.Matches("[a-z]+ [a-z]+", text);
    }

    [Fact]
    public async Task The_web_UI_answers_and_proxies_the_API()
    {
        using var client = new HttpClient { BaseAddress = system.WebUrl };

        var page = await client.GetStringAsync("/");
        var models = await client.GetStringAsync("/api/v1/ai/models");

        Assert.Contains("<div id=\"app\">", page);
        Assert.Contains("stories260K", models);
    }

    [Fact]
    public async Task The_dashboard_links_the_API_its_OpenAPI_page_and_the_web_UI()
    {
        Assert.True(system.App.ResourceNotifications.TryGetCurrentState("api", out var api));
        Assert.True(system.App.ResourceNotifications.TryGetCurrentState("web", out var web));

        var openApi = Assert.Single(api.Snapshot.Urls, u => u.DisplayProperties.DisplayName == "OpenAPI");
        Assert.Contains(api.Snapshot.Urls, u => u.DisplayProperties.DisplayName == "API");
        Assert.Contains(web.Snapshot.Urls, u => u.DisplayProperties.DisplayName == "Web UI");
        using var client = new HttpClient();
        Assert.True((await client.GetAsync(openApi.Url)).IsSuccessStatusCode, $"{openApi.Url} answers");
    }
}
