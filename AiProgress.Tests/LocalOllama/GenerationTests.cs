using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AiProgress.Tests.LocalOllama;

/// <summary>/api/generate and /api/chat on the wire: determinism, num_predict, the final line, stream:false, stop strings.</summary>
[Collection(LocalOllamaCollection.Name)]
public sealed class GenerationTests(DefaultServer server, EndlessStoriesServer endless)
{
    private static readonly string[] FinalStatistics =
        ["total_duration", "load_duration", "prompt_eval_count", "prompt_eval_duration", "eval_count", "eval_duration"];

    [Fact]
    public async Task GreedyGeneration_WithAFixedSeed_IsTheSameEveryTime()
    {
        var first = await GenerateText(OllamaHttp.Generate("Once upon a time", numPredict: 40, temperature: 0, seed: 7));
        var second = await GenerateText(OllamaHttp.Generate("Once upon a time", numPredict: 40, temperature: 0, seed: 7));
        var streamed = await OllamaHttp.StreamAsync(server.Http, "/api/generate", OllamaHttp.Generate("Once upon a time", numPredict: 40, temperature: 0, seed: 7));

        Assert.Equal(first, second);
        Assert.Equal(first, streamed.Text);
        // The model's well-known greedy continuation (shared/models/README.md).
        Assert.StartsWith(", there was a little girl named Lily. She loved to play outside in the park.", first);
    }

    [Fact]
    public async Task SampledGeneration_WithAFixedSeed_IsRepeatable_AndTheSeedMatters()
    {
        async Task<string> Sample(long seed) =>
            await GenerateText(OllamaHttp.Generate("Once upon a time", numPredict: 40, temperature: 1.0, seed: seed));

        var first = await Sample(123);
        Assert.Equal(first, await Sample(123));

        // A different seed may by chance agree once, not three times over 40 tokens at temperature 1.
        var others = new[] { await Sample(1), await Sample(2), await Sample(3) };
        Assert.Contains(others, text => text != first);
    }

    [Fact]
    public async Task NumPredict_StopsWithDoneReasonLength_AndEvalCountEqualsIt()
    {
        foreach (var numPredict in new[] { 1, 7, 33 })
        {
            var reply = await OllamaHttp.StreamAsync(server.Http, "/api/generate", OllamaHttp.Generate("Once upon a time", numPredict: numPredict));

            Assert.Equal("length", reply.Final.GetProperty("done_reason").GetString());
            Assert.Equal(numPredict, reply.Final.GetProperty("eval_count").GetInt32());
            // A token yields at most one line (none while a character is incomplete).
            Assert.InRange(reply.Pieces.Count(), 1, numPredict);
        }
    }

    [Fact]
    public async Task A_generated_BOS_ends_the_story_with_done_reason_stop_and_stays_out_of_the_text()
    {
        // stories260K never samples an end-of-generation token: llama2.c's TinyStories models separate stories
        // with BOS, which ends the answer here (LocalOllama:Models:N:StopAtBos, on by default).
        var lengths = new List<int>();
        foreach (var seed in new long[] { 1, 2, 3, 4 })
        {
            var body = OllamaHttp.Generate("Once upon a time", numPredict: 1500, temperature: 0.8, seed: seed);
            var reply = await OllamaHttp.StreamAsync(server.Http, "/api/generate", body);

            Assert.Equal("stop", reply.Final.GetProperty("done_reason").GetString());
            Assert.DoesNotContain("<s>", reply.Text);
            lengths.Add(reply.Final.GetProperty("eval_count").GetInt32());
        }

        Assert.All(lengths, n => Assert.InRange(n, 10, 1000));
        Assert.True(lengths.Distinct().Count() > 1, $"stories of different lengths: {string.Join(", ", lengths)}");
    }

    [Fact]
    public async Task WithoutStopAtBos_and_without_NumPredict_GenerationRunsUntilTheContextIsFull()
    {
        var body = OllamaHttp.Generate("Once upon a time", numPredict: null);
        body["options"]!["num_ctx"] = 256;
        var reply = await OllamaHttp.StreamAsync(endless.Http, "/api/generate", body);

        var final = reply.Final;
        Assert.Equal("length", final.GetProperty("done_reason").GetString());
        var promptTokens = final.GetProperty("prompt_eval_count").GetInt32();
        var evalCount = final.GetProperty("eval_count").GetInt32();
        // Every evaluated token takes a cell; the last sampled one is never evaluated, so it needs none.
        Assert.Equal(256 + 1, promptTokens + evalCount);
    }

    [Fact]
    public async Task StreamedGenerate_PiecesAreSmall_AndTheFinalLineCarriesEveryStatisticInNanoseconds()
    {
        var reply = await OllamaHttp.StreamAsync(server.Http, "/api/generate", OllamaHttp.Generate("Once upon a time", numPredict: 16));

        Assert.Equal("application/x-ndjson", reply.MediaType);
        Assert.All(reply.Pieces, line =>
        {
            Assert.Equal(TestModel.Name, line.GetProperty("model").GetString());
            Assert.False(line.GetProperty("done").GetBoolean());
            Assert.Equal(JsonValueKind.String, line.GetProperty("response").ValueKind);
            Assert.True(line.TryGetProperty("created_at", out _));
            Assert.All(FinalStatistics, name => Assert.False(line.TryGetProperty(name, out _), $"a streamed piece has {name}"));
            Assert.False(line.TryGetProperty("done_reason", out _));
        });

        var final = reply.Final;
        Assert.True(final.GetProperty("done").GetBoolean());
        Assert.Equal("length", final.GetProperty("done_reason").GetString());
        Assert.Equal("", final.GetProperty("response").GetString());
        var stats = FinalStatistics.ToDictionary(name => name, name => final.GetProperty(name).GetInt64());
        Assert.All(stats, s => Assert.True(s.Value > 0, $"{s.Key} is {s.Value}"));
        Assert.Equal(16, stats["eval_count"]);

        // The durations are nested parts of total_duration, and total_duration fits in the client's wall time
        // (a coarser unit would still fit; PacingTests shows they are nanoseconds from below).
        Assert.True(stats["total_duration"] >= stats["load_duration"] + stats["prompt_eval_duration"] + stats["eval_duration"]);
        Assert.True(stats["total_duration"] <= reply.Elapsed.Ticks * 100, $"total_duration {stats["total_duration"]} ns > wall {reply.Elapsed}");

        // context holds the prompt's tokens and then the generated ones.
        var context = final.GetProperty("context").EnumerateArray().Select(t => t.GetInt32()).ToList();
        Assert.Equal(stats["prompt_eval_count"] + stats["eval_count"], context.Count);
    }

    [Fact]
    public async Task StreamedChat_FinalLineCarriesEveryStatistic()
    {
        var reply = await OllamaHttp.StreamAsync(server.Http, "/api/chat", OllamaHttp.Chat([("user", "Once upon a time")], numPredict: 12));

        Assert.Equal("application/x-ndjson", reply.MediaType);
        Assert.All(reply.Lines, line => Assert.Equal("assistant", line.GetProperty("message").GetProperty("role").GetString()));
        var final = reply.Final;
        Assert.True(final.GetProperty("done").GetBoolean());
        Assert.Equal("length", final.GetProperty("done_reason").GetString());
        Assert.All(FinalStatistics, name => Assert.True(final.GetProperty(name).GetInt64() > 0, name));
        Assert.Equal(12, final.GetProperty("eval_count").GetInt32());
        Assert.False(final.TryGetProperty("context", out _), "chat answers carry no context");
    }

    [Fact]
    public async Task StreamFalse_AnswersOneJsonObjectWithTheWholeText()
    {
        var single = await OllamaHttp.PostAsync(server.Http, "/api/generate", OllamaHttp.Generate("Once upon a time", numPredict: 20, stream: false));
        var streamed = await OllamaHttp.StreamAsync(server.Http, "/api/generate", OllamaHttp.Generate("Once upon a time", numPredict: 20));

        Assert.Equal(HttpStatusCode.OK, single.Status);
        Assert.Equal("application/json", single.MediaType);
        Assert.DoesNotContain('\n', single.Text.Trim());
        var json = single.Json;
        Assert.True(json.GetProperty("done").GetBoolean());
        Assert.Equal("length", json.GetProperty("done_reason").GetString());
        Assert.Equal(20, json.GetProperty("eval_count").GetInt32());
        Assert.All(FinalStatistics, name => Assert.True(json.GetProperty(name).GetInt64() > 0, name));
        Assert.Equal(streamed.Text, json.GetProperty("response").GetString());
    }

    [Fact]
    public async Task ChatStreamFalse_AnswersOneAssistantMessage()
    {
        var single = await OllamaHttp.PostAsync(server.Http, "/api/chat",
            OllamaHttp.Chat([("system", "Stories."), ("user", "Once upon a time")], numPredict: 15, stream: false));

        Assert.Equal(HttpStatusCode.OK, single.Status);
        var json = single.Json;
        Assert.True(json.GetProperty("done").GetBoolean());
        Assert.Equal(15, json.GetProperty("eval_count").GetInt32());
        var message = json.GetProperty("message");
        Assert.Equal("assistant", message.GetProperty("role").GetString());
        Assert.False(string.IsNullOrWhiteSpace(message.GetProperty("content").GetString()));
    }

    [Fact]
    public async Task UnknownRequestFields_AreIgnored()
    {
        var plain = await GenerateText(OllamaHttp.Generate("Once upon a time", numPredict: 20));

        var cluttered = OllamaHttp.Generate("Once upon a time", numPredict: 20, stream: false);
        cluttered["images"] = new JsonArray();
        cluttered["keep_alive"] = "5m";
        cluttered["format"] = "json";
        cluttered["think"] = false;
        cluttered["something_new"] = new JsonObject { ["nested"] = new JsonArray(1, 2, 3) };
        cluttered["options"]!["num_thread"] = 4;
        cluttered["options"]!["mirostat"] = 0;
        cluttered["options"]!["future_option"] = new JsonObject { ["x"] = "y" };
        var reply = await OllamaHttp.PostAsync(server.Http, "/api/generate", cluttered);

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal(plain, reply.Json.GetProperty("response").GetString());

        var chat = OllamaHttp.Chat([("user", "Hi")], numPredict: 3, stream: false);
        chat["tools"] = new JsonArray();
        chat["messages"]![0]!["images"] = new JsonArray();
        var chatReply = await OllamaHttp.PostAsync(server.Http, "/api/chat", chat);
        Assert.Equal(HttpStatusCode.OK, chatReply.Status);
        Assert.Equal(3, chatReply.Json.GetProperty("eval_count").GetInt32());
    }

    [Fact]
    public async Task StopSequence_EndsTheAnswerBeforeIt_WithDoneReasonStop()
    {
        var whole = await GenerateText(OllamaHttp.Generate("Once upon a time", numPredict: 40));
        const string stop = "Lily";
        var cut = whole.IndexOf(stop, StringComparison.Ordinal);
        Assert.True(cut > 0, $"the greedy text has no '{stop}': {whole}");

        var streamed = await OllamaHttp.StreamAsync(server.Http, "/api/generate", OllamaHttp.Generate("Once upon a time", numPredict: 40, stop: [stop]));
        var single = await OllamaHttp.PostAsync(server.Http, "/api/generate", OllamaHttp.Generate("Once upon a time", numPredict: 40, stream: false, stop: [stop]));

        Assert.Equal(whole[..cut], streamed.Text);
        Assert.Equal("stop", streamed.Final.GetProperty("done_reason").GetString());
        Assert.True(streamed.Final.GetProperty("eval_count").GetInt32() < 40);
        Assert.DoesNotContain(streamed.Pieces, line => StreamedReply.TextOf(line).Contains('L'));
        Assert.Equal(whole[..cut], single.Json.GetProperty("response").GetString());
    }

    [Fact]
    public async Task TheContextOfAnAnswer_ContinuesTheStory()
    {
        var first = await OllamaHttp.PostAsync(server.Http, "/api/generate", OllamaHttp.Generate("Once upon a time", numPredict: 10, stream: false));
        var context = first.Json.GetProperty("context").Clone();

        var body = OllamaHttp.Generate(" She", numPredict: 5, stream: false);
        body["context"] = JsonNode.Parse(context.GetRawText());
        var next = await OllamaHttp.PostAsync(server.Http, "/api/generate", body);

        Assert.Equal(HttpStatusCode.OK, next.Status);
        // The earlier tokens come first, then " She" without a second BOS.
        Assert.True(next.Json.GetProperty("prompt_eval_count").GetInt32() > context.GetArrayLength());
        var nextContext = next.Json.GetProperty("context").EnumerateArray().Select(t => t.GetInt32()).ToList();
        Assert.Equal(context.EnumerateArray().Select(t => t.GetInt32()), nextContext.Take(context.GetArrayLength()));
        Assert.Single(nextContext, t => t == nextContext[0]);
    }

    [Fact]
    public async Task EmptyPrompt_OnlyLoadsTheModel()
    {
        var reply = await OllamaHttp.PostAsync(server.Http, "/api/generate", new JsonObject { ["model"] = TestModel.Name });

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.True(reply.Json.GetProperty("done").GetBoolean());
        Assert.Equal("load", reply.Json.GetProperty("done_reason").GetString());
        Assert.Equal("", reply.Json.GetProperty("response").GetString());
    }

    private async Task<string> GenerateText(JsonObject body)
    {
        body["stream"] = false;
        var reply = await OllamaHttp.PostAsync(server.Http, "/api/generate", body);
        Assert.Equal(HttpStatusCode.OK, reply.Status);
        return reply.Json.GetProperty("response").GetString()!;
    }
}
