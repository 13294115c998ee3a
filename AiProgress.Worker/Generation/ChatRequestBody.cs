using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization;
using AiProgress.Jobs.Data;

namespace AiProgress.Worker.Generation;

/// <summary>
/// The body of one streaming /api/chat call. A non-empty <c>textSoFar</c> goes in as an assistant prefill, which
/// Ollama continues: that is how a retried or taken-over job picks up where the watchers left it.
/// </summary>
public sealed record ChatRequestBody(string Model, IReadOnlyList<ChatMessageBody> Messages, bool Stream, ChatRequestOptions Options)
{
    public static ChatRequestBody For(GenerationJob job, string textSoFar, int tokensToGenerate)
    {
        var messages = new List<ChatMessageBody>(3);
        if (!string.IsNullOrEmpty(job.SystemPrompt))
        {
            messages.Add(new ChatMessageBody("system", job.SystemPrompt));
        }

        messages.Add(new ChatMessageBody("user", job.Prompt));
        if (textSoFar.Length > 0)
        {
            messages.Add(new ChatMessageBody("assistant", textSoFar));
        }

        return new ChatRequestBody(job.Model, messages, Stream: true, new ChatRequestOptions(tokensToGenerate, job.Temperature));
    }

    public HttpContent ToContent()
    {
        var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(this, ChatRequestJson.Default.ChatRequestBody));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        return content;
    }
}

public sealed record ChatMessageBody(string Role, string Content);

public sealed record ChatRequestOptions(int NumPredict, double? Temperature);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ChatRequestBody))]
internal sealed partial class ChatRequestJson : JsonSerializerContext;
