namespace AiProgress.Tests.LocalOllama;

/// <summary>The GGUF file the tests serve: shared/models/stories260K.gguf beside the repository, or AIPROGRESS_MODEL_PATH.</summary>
internal static class TestModel
{
    public const string EnvironmentVariable = "AIPROGRESS_MODEL_PATH";
    public const string FileName = "stories260K.gguf";

    /// <summary>The name the server gives the model when none is configured: the file name without extension.</summary>
    public const string Name = "stories260K";

    private static readonly Lazy<string> Located = new(Locate);

    public static string Path => Located.Value;

    private static string Locate()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            var full = System.IO.Path.GetFullPath(fromEnvironment);
            return File.Exists(full)
                ? full
                : throw new FileNotFoundException($"{EnvironmentVariable} points to '{full}', which does not exist.");
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "AiProgress.sln")))
            {
                var candidate = System.IO.Path.GetFullPath(System.IO.Path.Combine(dir.FullName, "..", "shared", "models", FileName));
                return File.Exists(candidate)
                    ? candidate
                    : throw new FileNotFoundException($"The test model is not at '{candidate}'; set {EnvironmentVariable}.");
            }
        }
        throw new DirectoryNotFoundException($"No AiProgress.sln above '{AppContext.BaseDirectory}'; set {EnvironmentVariable}.");
    }
}
