using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AiProgress.Tests.LocalOllama;

/// <summary>Errors come as Ollama's {"error": "..."} with its status codes, which OllamaSharp parses.</summary>
[Collection(LocalOllamaCollection.Name)]
public sealed class ErrorResponseTests(DefaultServer server)
{
    public static TheoryData<string> CompletionPaths => ["/api/generate", "/api/chat", "/api/show"];

    [Theory]
    [MemberData(nameof(CompletionPaths))]
    public async Task UnknownModel_Is404WithOllamasErrorShape(string path)
    {
        var body = new JsonObject
        {
            ["model"] = "no-such-model:7b",
            ["prompt"] = "Hi",
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "Hi" }),
        };

        var reply = await OllamaHttp.PostAsync(server.Http, path, body);

        Assert.Equal(HttpStatusCode.NotFound, reply.Status);
        var message = AssertOllamaError(reply);
        Assert.Contains("no-such-model:7b", message);
        Assert.Contains("not found", message);
    }

    [Theory]
    [InlineData("/api/generate", "{\"model\": \"stories260K\", \"prompt\": ")]
    [InlineData("/api/generate", "this is not json")]
    [InlineData("/api/generate", "")]
    [InlineData("/api/generate", "{\"model\": \"stories260K\", \"prompt\": \"Hi\", \"options\": {\"num_predict\": \"many\"}}")]
    [InlineData("/api/generate", "[1, 2, 3]")]
    [InlineData("/api/chat", "{\"model\": \"stories260K\", \"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}")]
    [InlineData("/api/chat", "{\"model\": \"stories260K\", \"messages\": \"Hi\"}")]
    [InlineData("/api/chat", "{\"model\": \"stories260K\", \"messages\": [null]}")]
    [InlineData("/api/show", "{\"model\": ")]
    public async Task MalformedJsonBody_Is400WithOllamasErrorShape(string path, string body)
    {
        var reply = await OllamaHttp.PostAsync(server.Http, path, body);

        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.False(string.IsNullOrWhiteSpace(AssertOllamaError(reply)));
    }

    [Theory]
    [InlineData(true, 99_999)]
    [InlineData(false, 99_999)]
    [InlineData(true, -5)]
    [InlineData(false, 512)]
    public async Task AContextWithTokenIdsTheModelLacks_Is400(bool stream, int badToken)
    {
        var body = OllamaHttp.Generate("Once upon a time", numPredict: 3, stream: stream);
        body["context"] = new JsonArray(1, 403, badToken);

        var reply = await OllamaHttp.PostAsync(server.Http, "/api/generate", body);

        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.Contains(badToken.ToString(System.Globalization.CultureInfo.InvariantCulture), AssertOllamaError(reply));
    }

    [Theory]
    [MemberData(nameof(CompletionPaths))]
    public async Task MissingModel_Is400(string path)
    {
        var reply = await OllamaHttp.PostAsync(server.Http, path, "{\"prompt\": \"Hi\"}");

        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.Equal("model is required", AssertOllamaError(reply));
    }

    [Fact]
    public async Task OllamaSharp_SeesTheUnknownModelAs404()
    {
        using var ollama = server.Ollama();
        using var cancel = new CancellationTokenSource(LocalOllamaServer.Timeout);
        var request = new OllamaSharp.Models.GenerateRequest { Model = "no-such-model", Prompt = "Hi" };

        var error = await Assert.ThrowsAsync<HttpRequestException>(async () =>
        {
            await foreach (var _ in ollama.GenerateAsync(request, cancel.Token))
            {
            }
        }).WaitAsync(LocalOllamaServer.Timeout);

        Assert.Equal(HttpStatusCode.NotFound, error.StatusCode);
    }

    /// <summary>The body is exactly {"error": "..."}, served as JSON; returns the message.</summary>
    private static string AssertOllamaError(JsonReply reply)
    {
        Assert.Equal("application/json", reply.MediaType);
        var json = reply.Json;
        Assert.Equal(JsonValueKind.Object, json.ValueKind);
        var property = Assert.Single(json.EnumerateObject());
        Assert.Equal("error", property.Name);
        Assert.Equal(JsonValueKind.String, property.Value.ValueKind);
        return property.Value.GetString()!;
    }
}
