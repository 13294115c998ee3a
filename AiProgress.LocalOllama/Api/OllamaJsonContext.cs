using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using AiProgress.LocalOllama.Api.Contracts;

namespace AiProgress.LocalOllama.Api;

/// <summary>Ollama's wire format: snake_case, nulls left out; source-generated since a line goes out per token.</summary>
[JsonSerializable(typeof(GenerateRequest))]
[JsonSerializable(typeof(ChatRequest))]
[JsonSerializable(typeof(ShowRequest))]
[JsonSerializable(typeof(CompletionLine))]
[JsonSerializable(typeof(ErrorResponse))]
[JsonSerializable(typeof(TagsResponse))]
[JsonSerializable(typeof(ShowResponse))]
[JsonSerializable(typeof(RunningModelsResponse))]
[JsonSerializable(typeof(VersionResponse))]
[JsonSerializable(typeof(long))]
[JsonSerializable(typeof(double))]
[JsonSerializable(typeof(string))]
internal sealed partial class OllamaJsonContext : JsonSerializerContext
{
    /// <summary>
    /// The context to use. Quotes and apostrophes stay as they are, like Ollama's own output, rather
    /// than as \u0022: the body is JSON for API clients, never embedded in HTML.
    /// </summary>
    public static OllamaJsonContext Wire { get; } = new(new JsonSerializerOptions(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
