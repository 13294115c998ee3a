using System.Text.Json;
using System.Text.Unicode;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;

namespace AiProgress.Api.Http;

/// <summary>A request body read strictly, or the problem that says why it cannot be.</summary>
public readonly record struct JsonBody(JsonElement Root, ProblemHttpResult? Problem, ValidationProblem? Invalid)
{
    public bool IsValid => Problem is null && Invalid is null;
}

/// <summary>
/// Reads a JSON body for any endpoint that takes one: JSON and UTF-8 only, at most 256 KiB, and refused
/// (naming the field) when it holds what JsonDocument would accept but a later GetString() would throw on:
/// bytes that are not UTF-8, overlong sequences, lone surrogate escapes, and a key given twice.
/// </summary>
public static class StrictJsonBody
{
    public const int MaxBytes = 256 * 1024;
    public const int MaxDepth = 32;
    private const int MaxFieldNameInError = 64;

    public static async Task<JsonBody> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (!request.HasJsonContentType() || !IsUtf8Charset(request.ContentType))
        {
            return new(default, Problem(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type",
                "The body must be application/json in UTF-8."), null);
        }

        if (request.ContentLength > MaxBytes)
        {
            return new(default, TooLarge(), null);
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
            {
                buffer.Write(chunk, 0, read);
                if (buffer.Length > MaxBytes)
                {
                    return new(default, TooLarge(), null);
                }
            }
        }
        catch (BadHttpRequestException ex)
        {
            return new(default, Problem(ex.StatusCode, "Unreadable body", "The body's framing is invalid."), null);
        }
        catch (IOException) when (!cancellationToken.IsCancellationRequested)
        {
            // Kestrel reports some broken framing (a chunk size that overflows) as a bare IOException.
            return new(default, Problem(StatusCodes.Status400BadRequest, "Unreadable body", "The body's framing is invalid."), null);
        }

        return Parse(buffer.GetBuffer().AsMemory(0, (int)buffer.Length));
    }

    /// <summary>Parses bytes already read; the whole check, so tests and the fuzzer can call it directly.</summary>
    public static JsonBody Parse(ReadOnlyMemory<byte> json)
    {
        var errors = Check(json.Span);
        if (errors is not null)
        {
            return new(default, null, TypedResults.ValidationProblem(errors, title: "The body is not valid JSON"));
        }

        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = MaxDepth });
            return new(document.RootElement.Clone(), null, null);
        }
        catch (JsonException)
        {
            return new(default, null, TypedResults.ValidationProblem(Error(null, "The body is not valid JSON."), title: "The body is not valid JSON"));
        }
    }

    /// <summary>Walks every token once; null when the body is well-formed, strict JSON.</summary>
    private static Dictionary<string, string[]>? Check(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = MaxDepth });
        var scopes = new Stack<HashSet<string>?>();
        string? field = null;
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject:
                        scopes.Push(new HashSet<string>(StringComparer.Ordinal));
                        break;
                    case JsonTokenType.StartArray:
                        scopes.Push(null);
                        break;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        scopes.Pop();
                        break;
                    case JsonTokenType.PropertyName:
                        if (!TryGetString(ref reader, out var name))
                        {
                            return Error(scopes.Count == 1 ? null : field, "A key is not valid Unicode (bytes that are not UTF-8, or a lone surrogate escape).");
                        }

                        if (scopes.Count == 1)
                        {
                            field = name.Length <= MaxFieldNameInError ? name : null;
                        }

                        if (!scopes.Peek()!.Add(name))
                        {
                            return Error(field, $"The key '{(name.Length <= MaxFieldNameInError ? name : name[..MaxFieldNameInError] + "…")}' is given twice.");
                        }

                        break;
                    case JsonTokenType.String when !TryGetString(ref reader, out _):
                        return Error(field, "The text is not valid Unicode (bytes that are not UTF-8, or a lone surrogate escape).");
                }
            }
        }
        catch (JsonException)
        {
            return Error(null, "The body is not valid JSON.");
        }

        // Belt and braces: bytes outside strings that the reader let through.
        return Utf8.IsValid(json) ? null : Error(null, "The body is not valid UTF-8.");
    }

    private static bool TryGetString(ref Utf8JsonReader reader, out string value)
    {
        try
        {
            value = reader.GetString()!;
            return true;
        }
        catch (InvalidOperationException)
        {
            value = "";
            return false;
        }
    }

    private static Dictionary<string, string[]> Error(string? field, string message) => new() { [field ?? "body"] = [message] };

    private static bool IsUtf8Charset(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var media)
        && (media.Charset.Length == 0 || media.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase)
            || media.Charset.Equals("utf8", StringComparison.OrdinalIgnoreCase));

    private static ProblemHttpResult TooLarge() =>
        Problem(StatusCodes.Status413PayloadTooLarge, "Body too large", $"The body must be at most {MaxBytes / 1024} KiB.");

    private static ProblemHttpResult Problem(int status, string title, string detail) =>
        TypedResults.Problem(detail, title: title, statusCode: status);
}
