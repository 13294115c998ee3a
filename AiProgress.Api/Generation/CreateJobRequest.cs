using System.Text.Json;

namespace AiProgress.Api.Generation;

/// <summary>A validated create request.</summary>
public sealed record CreateJobRequest(string Prompt, string? Model, int MaxTokens, string? System, double? Temperature);

/// <summary>
/// Reads the create body (already checked by StrictJsonBody) field by field, so that every mistake is reported against the field at fault
/// (model binding would only say "bad request" for a wrong type).
/// </summary>
public static class CreateJobRequestParser
{
    public const int MaxPromptLength = 32_768;
    public const int MaxSystemLength = 8_192;
    public const int MaxTokensLimit = 8_192;
    public const int DefaultMaxTokens = 512;

    public static (CreateJobRequest? Request, Dictionary<string, string[]> Errors) Parse(JsonElement body)
    {
        var errors = new Dictionary<string, string[]>();
        if (body.ValueKind != JsonValueKind.Object)
        {
            errors["body"] = ["The body must be a JSON object."];
            return (null, errors);
        }

        var prompt = ReadString(body, "prompt", errors, required: true);
        if (prompt is not null)
        {
            var trimmed = prompt.Trim();
            if (trimmed.Length == 0)
            {
                errors["prompt"] = ["The prompt must not be empty or only white space."];
            }
            else if (CodePoints(trimmed) > MaxPromptLength)
            {
                errors["prompt"] = [$"The prompt must be at most {MaxPromptLength} characters."];
            }
            else if (HasForbiddenControlCharacters(trimmed))
            {
                errors["prompt"] = ["The prompt must not contain control characters other than tab and line breaks."];
            }

            prompt = trimmed;
        }

        var model = ReadString(body, "model", errors, required: false);
        if (model is not null && (CodePoints(model.Trim()) is 0 or > 128 || HasForbiddenControlCharacters(model)))
        {
            errors["model"] = ["The model must be a model name of 1 to 128 characters."];
        }

        var maxTokens = ReadInteger(body, "max_tokens", errors) ?? DefaultMaxTokens;
        if (!errors.ContainsKey("max_tokens") && maxTokens is < 1 or > MaxTokensLimit)
        {
            errors["max_tokens"] = [$"max_tokens must be between 1 and {MaxTokensLimit}."];
        }

        var system = ReadString(body, "system", errors, required: false);
        if (system is not null && CodePoints(system) > MaxSystemLength)
        {
            errors["system"] = [$"The system prompt must be at most {MaxSystemLength} characters."];
        }

        double? temperature = null;
        if (body.TryGetProperty("temperature", out var t) && t.ValueKind != JsonValueKind.Null)
        {
            if (t.ValueKind != JsonValueKind.Number || !t.TryGetDouble(out var value) || value is < 0 or > 2 || double.IsNaN(value))
            {
                errors["temperature"] = ["temperature must be a number from 0 to 2."];
            }
            else
            {
                temperature = value;
            }
        }

        return errors.Count > 0
            ? (null, errors)
            : (new CreateJobRequest(prompt!, model?.Trim(), maxTokens, string.IsNullOrWhiteSpace(system) ? null : system, temperature), errors);
    }

    private static string? ReadString(JsonElement body, string name, Dictionary<string, string[]> errors, bool required)
    {
        if (!body.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            if (required)
            {
                errors[name] = [$"{name} is required."];
            }

            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            errors[name] = [$"{name} must be a string."];
            return null;
        }

        return value.GetString();
    }

    private static int? ReadInteger(JsonElement body, string name, Dictionary<string, string[]> errors)
    {
        if (!body.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out var number))
        {
            errors[name] = [$"{name} must be a whole number."];
            return null;
        }

        if (number is < int.MinValue or > int.MaxValue)
        {
            errors[name] = [$"{name} must be between 1 and {MaxTokensLimit}."];
            return null;
        }

        return (int)number;
    }

    // The contract counts characters as Unicode code points: an emoji is one, not two UTF-16 units.
    private static int CodePoints(string text) => text.EnumerateRunes().Count();

    private static bool HasForbiddenControlCharacters(string text) =>
        text.Any(c => char.IsControl(c) && c is not ('\t' or '\n' or '\r'));
}
