namespace AiProgress.LocalOllama.Settings;

internal static class ModelNames
{
    private const string LatestTag = ":latest";

    /// <summary>"stories260K:latest" and "stories260K" name the same model, as in Ollama.</summary>
    public static string Normalize(string name) =>
        name.EndsWith(LatestTag, StringComparison.OrdinalIgnoreCase) ? name[..^LatestTag.Length] : name;
}
