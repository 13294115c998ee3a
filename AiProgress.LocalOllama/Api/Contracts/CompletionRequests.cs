using System.Text.Json;

namespace AiProgress.LocalOllama.Api.Contracts;

/// <summary>POST /api/generate. Fields this server cannot honour (images, suffix, template) are ignored.</summary>
internal sealed record GenerateRequest
{
    public string? Model { get; init; }
    public string? Prompt { get; init; }
    public string? System { get; init; }
    public bool? Raw { get; init; }
    public bool? Stream { get; init; }
    public ModelOptions? Options { get; init; }
    public int[]? Context { get; init; }

    /// <summary>"json" or a JSON schema; accepted but not enforced (no grammar sampling here).</summary>
    public JsonElement? Format { get; init; }

    /// <summary>A duration string or seconds; accepted and ignored, since models stay loaded.</summary>
    public JsonElement? KeepAlive { get; init; }
}

/// <summary>POST /api/chat.</summary>
internal sealed record ChatRequest
{
    public string? Model { get; init; }
    public List<ChatMessage>? Messages { get; init; }
    public bool? Stream { get; init; }
    public ModelOptions? Options { get; init; }
    public JsonElement? Format { get; init; }
    public JsonElement? KeepAlive { get; init; }
}

internal sealed record ChatMessage
{
    public string? Role { get; init; }
    public string? Content { get; init; }
}

/// <summary>The Modelfile parameters this server honours.</summary>
internal sealed record ModelOptions
{
    public int? NumPredict { get; init; }
    public float? Temperature { get; init; }
    public long? Seed { get; init; }
    public int? TopK { get; init; }
    public float? TopP { get; init; }
    public string[]? Stop { get; init; }
    public int? NumCtx { get; init; }
}
