using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace AiProgress.LocalOllama.Api;

/// <summary>
/// Reads a JSON body by hand, because minimal API binding answers malformed JSON with an empty 400
/// and Ollama clients expect {"error": "..."}.
/// </summary>
internal static class RequestBody
{
    public static async Task<(T? Value, string? Error)> ReadAsync<T>(HttpRequest request, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
        where T : class
    {
        try
        {
            var value = await JsonSerializer.DeserializeAsync(request.Body, typeInfo, cancellationToken);
            return value is null ? (null, "missing request body") : (value, null);
        }
        catch (JsonException ex)
        {
            return (null, ex.Message);
        }
    }
}
