namespace AiProgress.ServiceDefaults;

/// <summary>
/// Ollama's naming rule, in one place for every service (and linked into the AppHost): a name without a tag
/// means <c>:latest</c>, and names compare without regard to case. The web form follows the same rule
/// (<c>src/utils/modelName.ts</c>).
/// </summary>
public static class ModelName
{
    private const string LatestTag = ":latest";

    /// <summary>The shortest spelling: "stories260K:latest" → "stories260K"; other tags stay.</summary>
    public static string Canonical(string name)
    {
        var trimmed = name.Trim();
        return trimmed.EndsWith(LatestTag, StringComparison.OrdinalIgnoreCase) ? trimmed[..^LatestTag.Length] : trimmed;
    }

    public static bool Same(string a, string b) => string.Equals(Canonical(a), Canonical(b), StringComparison.OrdinalIgnoreCase);
}
