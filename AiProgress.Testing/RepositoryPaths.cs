namespace AiProgress.Testing;

public static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>The real TinyStories model beside the repository (../shared/models), or AIPROGRESS_MODEL_PATH.</summary>
    public static string ModelPath =>
        Environment.GetEnvironmentVariable("AIPROGRESS_MODEL_PATH") is { Length: > 0 } path
            ? path
            : Path.GetFullPath(Path.Combine(Root, "..", "shared", "models", "stories260K.gguf"));

    public static string ProjectOutput(string project, string assembly) =>
        Path.Combine(Root, project, "bin", BuildConfiguration, "net10.0", assembly);

#if DEBUG
    private const string BuildConfiguration = "Debug";
#else
    private const string BuildConfiguration = "Release";
#endif

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "AiProgress.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("AiProgress.sln not found above " + AppContext.BaseDirectory);
    }
}
