using OllamaSharp;
using OllamaSharp.Models.Chat;

namespace AiProgress.Tests.Infrastructure;

/// <summary>The scripted server itself must speak the protocol OllamaSharp expects, or every pipeline test lies.</summary>
public class ScriptedOllamaTests
{
    [Fact]
    public async Task OllamaSharp_reads_the_scripted_stream_to_its_final_line()
    {
        await using var server = await ScriptedOllama.StartAsync();
        server.Enqueue(OllamaScript.Steady(tokens: 30, tokensPerSecond: 200));
        using var client = new OllamaApiClient(new Uri(server.Url), ScriptedOllama.ModelName);

        var pieces = new List<string>();
        ChatDoneResponseStream? done = null;
        var request = new ChatRequest { Model = ScriptedOllama.ModelName, Messages = [new Message(ChatRole.User, "hi")], Stream = true };
        await foreach (var chunk in client.ChatAsync(request).WithCancellation(new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token))
        {
            if (chunk is ChatDoneResponseStream last) done = last;
            else if (chunk?.Message?.Content is { Length: > 0 } piece) pieces.Add(piece);
        }

        Assert.Equal(30, pieces.Count);
        Assert.NotNull(done);
        Assert.Equal(30, done.EvalCount);
        Assert.Equal("stop", done.DoneReason);
    }
}
