using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace AiProgress.Tests.LocalOllama;

/// <summary>GET /api/tags, /api/version, /api/ps and POST /api/show on the wire.</summary>
[Collection(LocalOllamaCollection.Name)]
public sealed class ModelEndpointTests(DefaultServer server)
{
    private static readonly Lazy<string> FileDigest = new(() => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(TestModel.Path))));

    [Fact]
    public async Task Tags_ListsTheServedModel()
    {
        var reply = await OllamaHttp.GetAsync(server.Http, "/api/tags");

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        var model = Assert.Single(reply.Json.GetProperty("models").EnumerateArray());
        Assert.Equal(TestModel.Name, model.GetProperty("name").GetString());
        Assert.Equal(TestModel.Name, model.GetProperty("model").GetString());
        Assert.Equal(new FileInfo(TestModel.Path).Length, model.GetProperty("size").GetInt64());
        Assert.Equal(FileDigest.Value, model.GetProperty("digest").GetString());
        Assert.True(model.GetProperty("modified_at").GetDateTime() > new DateTime(2000, 1, 1));
        var details = model.GetProperty("details");
        Assert.Equal("gguf", details.GetProperty("format").GetString());
        Assert.Equal("llama", details.GetProperty("family").GetString());
        Assert.Equal("292.8K", details.GetProperty("parameter_size").GetString());
        Assert.False(string.IsNullOrWhiteSpace(details.GetProperty("quantization_level").GetString()));
    }

    [Fact]
    public async Task Version_AnswersAVersionString()
    {
        var reply = await OllamaHttp.GetAsync(server.Http, "/api/version");

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Matches(@"^\d+\.\d+\.\d+", reply.Json.GetProperty("version").GetString());
    }

    [Theory]
    [InlineData("model", TestModel.Name)]
    [InlineData("model", TestModel.Name + ":latest")]
    [InlineData("name", TestModel.Name)]
    public async Task Show_DescribesTheModel(string field, string name)
    {
        var reply = await OllamaHttp.PostAsync(server.Http, "/api/show", new JsonObject { [field] = name });

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        var json = reply.Json;
        Assert.Equal("gguf", json.GetProperty("details").GetProperty("format").GetString());
        var info = json.GetProperty("model_info");
        Assert.Equal("llama", info.GetProperty("general.architecture").GetString());
        Assert.Equal(292_800, info.GetProperty("general.parameter_count").GetInt64());
        Assert.Equal(512, info.GetProperty("llama.vocab_size").GetInt64());
        Assert.Contains("completion", json.GetProperty("capabilities").EnumerateArray().Select(c => c.GetString()));
        Assert.Contains(TestModel.Path, json.GetProperty("modelfile").GetString());
    }

    [Fact]
    public async Task Ps_ListsTheLoadedModel()
    {
        var reply = await OllamaHttp.GetAsync(server.Http, "/api/ps");

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        var model = Assert.Single(reply.Json.GetProperty("models").EnumerateArray());
        Assert.Equal(TestModel.Name, model.GetProperty("name").GetString());
        Assert.Equal(new FileInfo(TestModel.Path).Length, model.GetProperty("size").GetInt64());
        Assert.Equal(FileDigest.Value, model.GetProperty("digest").GetString());
        Assert.True(model.GetProperty("expires_at").GetDateTime() > DateTime.UtcNow);
        Assert.Equal(0, model.GetProperty("size_vram").GetInt64());
    }

    [Fact]
    public async Task RootAndHealth_SayTheServerIsUpAndTheModelLoaded()
    {
        using var root = await server.Http.GetAsync("/").WaitAsync(LocalOllamaServer.Timeout);
        Assert.Equal("Ollama is running", await root.Content.ReadAsStringAsync().WaitAsync(LocalOllamaServer.Timeout));

        using var health = await server.Http.GetAsync("/health").WaitAsync(LocalOllamaServer.Timeout);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }
}
