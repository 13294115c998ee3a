using OllamaSharp;
using OllamaSharp.Models;
using OllamaSharp.Models.Chat;

namespace AiProgress.Tests.LocalOllama;

/// <summary>OllamaSharp 5.5.2, unchanged, as the worker uses it, against the in-memory server.</summary>
[Collection(LocalOllamaCollection.Name)]
public sealed class OllamaSharpClientTests(DefaultServer server)
{
    private static readonly TimeSpan Timeout = LocalOllamaServer.Timeout;

    [Fact]
    public async Task GenerateAsync_StreamsPiecesThenTheDoneLine_AndMatchesTheNonStreamedAnswer()
    {
        using var ollama = server.Ollama();
        using var cancel = new CancellationTokenSource(Timeout);
        var request = new GenerateRequest
        {
            Model = TestModel.Name,
            Prompt = "Once upon a time",
            Options = new RequestOptions { Temperature = 0, Seed = 42, NumPredict = 24 },
        };

        var chunks = await Collect(ollama.GenerateAsync(request, cancel.Token), cancel.Token).WaitAsync(Timeout);

        Assert.True(chunks.Count > 2, $"expected several streamed chunks, got {chunks.Count}");
        Assert.All(chunks.Take(chunks.Count - 1), c =>
        {
            Assert.False(c.Done);
            Assert.IsNotType<GenerateDoneResponseStream>(c);
            Assert.Equal(TestModel.Name, c.Model);
        });
        var done = Assert.IsType<GenerateDoneResponseStream>(chunks[^1]);
        Assert.True(done.Done);
        Assert.Equal("length", done.DoneReason);
        Assert.Equal(24, done.EvalCount);
        Assert.True(done.PromptEvalCount > 0);
        Assert.True(done.TotalDuration > 0 && done.LoadDuration > 0 && done.PromptEvalDuration > 0 && done.EvalDuration > 0);

        var streamedText = string.Concat(chunks.Select(c => c.Response));
        Assert.StartsWith(", there was a little girl named Lily", streamedText);

        var single = await OllamaHttp.PostAsync(server.Http, "/api/generate", OllamaHttp.Generate("Once upon a time", numPredict: 24, stream: false));
        Assert.Equal(streamedText, single.Json.GetProperty("response").GetString());
    }

    [Fact]
    public async Task ChatAsync_StreamsAssistantMessagesThenTheDoneLine()
    {
        using var ollama = server.Ollama();
        using var cancel = new CancellationTokenSource(Timeout);
        var request = new ChatRequest
        {
            Model = TestModel.Name,
            Messages =
            [
                new Message(ChatRole.System, "You tell short stories."),
                new Message(ChatRole.User, "Once upon a time"),
            ],
            Options = new RequestOptions { Temperature = 0, Seed = 1, NumPredict = 20 },
        };

        var chunks = await Collect(ollama.ChatAsync(request, cancel.Token), cancel.Token).WaitAsync(Timeout);

        Assert.True(chunks.Count > 2, $"expected several streamed chunks, got {chunks.Count}");
        Assert.All(chunks, c => Assert.Equal(ChatRole.Assistant, c.Message.Role));
        Assert.All(chunks.Take(chunks.Count - 1), c => Assert.False(c.Done));
        var done = Assert.IsType<ChatDoneResponseStream>(chunks[^1]);
        Assert.True(done.Done);
        Assert.Equal("length", done.DoneReason);
        Assert.Equal(20, done.EvalCount);
        Assert.True(done.PromptEvalCount > 0);
        Assert.True(done.TotalDuration > 0 && done.LoadDuration > 0 && done.PromptEvalDuration > 0 && done.EvalDuration > 0);

        // A chat is plain text here (system, blank line, turns), so /api/generate with the same system and prompt says the same.
        var chatText = string.Concat(chunks.Select(c => c.Message.Content));
        Assert.False(string.IsNullOrWhiteSpace(chatText));
        var body = OllamaHttp.Generate("Once upon a time", numPredict: 20, seed: 1, stream: false);
        body["system"] = "You tell short stories.";
        var generated = await OllamaHttp.PostAsync(server.Http, "/api/generate", body);
        Assert.Equal(chatText, generated.Json.GetProperty("response").GetString());
    }

    [Fact]
    public async Task GenerateAsync_WithStreamFalse_YieldsOneDoneAnswer()
    {
        using var ollama = server.Ollama();
        using var cancel = new CancellationTokenSource(Timeout);
        var request = new GenerateRequest
        {
            Model = TestModel.Name,
            Prompt = "Once upon a time",
            Stream = false,
            Options = new RequestOptions { Temperature = 0, Seed = 42, NumPredict = 10 },
        };

        var chunks = await Collect(ollama.GenerateAsync(request, cancel.Token), cancel.Token).WaitAsync(Timeout);

        var done = Assert.IsType<GenerateDoneResponseStream>(Assert.Single(chunks));
        Assert.Equal(10, done.EvalCount);
        Assert.StartsWith(", there was", done.Response);
    }

    [Fact]
    public async Task ModelCalls_ListShowRunningAndVersion()
    {
        using var ollama = server.Ollama();
        using var cancel = new CancellationTokenSource(Timeout);

        Assert.True(await ollama.IsRunningAsync(cancel.Token).WaitAsync(Timeout));

        var local = (await ollama.ListLocalModelsAsync(cancel.Token).WaitAsync(Timeout)).ToList();
        var model = Assert.Single(local);
        Assert.Equal(TestModel.Name, model.Name);
        Assert.Equal(new FileInfo(TestModel.Path).Length, model.Size);
        Assert.Equal("gguf", model.Details.Format);
        Assert.Equal("llama", model.Details.Family);

        var running = (await ollama.ListRunningModelsAsync(cancel.Token).WaitAsync(Timeout)).ToList();
        Assert.Equal(TestModel.Name, Assert.Single(running).Name);

        var show = await ollama.ShowModelAsync(new ShowModelRequest { Model = TestModel.Name + ":latest" }, cancel.Token).WaitAsync(Timeout);
        Assert.Equal("gguf", show.Details.Format);
        Assert.Equal("llama", show.Info.Architecture);
        Assert.Equal(292_800, show.Info.ParameterCount);

        var version = await ollama.GetVersionAsync(cancel.Token).WaitAsync(Timeout);
        Assert.NotNull(version);
    }

    private static async Task<List<T>> Collect<T>(IAsyncEnumerable<T?> stream, CancellationToken cancellationToken) where T : class
    {
        var items = new List<T>();
        await foreach (var item in stream.WithCancellation(cancellationToken))
        {
            Assert.NotNull(item);
            items.Add(item);
        }
        return items;
    }
}
