namespace AiProgress.Testing;

public static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    public const string ModelPathVariable = "AIPROGRESS_MODEL_PATH";

    private static readonly Lazy<string> Model = new(LocateModel);

    /// <summary>The real TinyStories model beside the repository (../shared/models), or AIPROGRESS_MODEL_PATH; it must exist.</summary>
    public static string ModelPath => Model.Value;

    public static string ProjectOutput(string project, string assembly) =>
        Path.Combine(Root, project, "bin", BuildConfiguration, "net10.0", assembly);

#if DEBUG
    private const string BuildConfiguration = "Debug";
#else
    private const string BuildConfiguration = "Release";
#endif

    private static string LocateModel()
    {
        if (Environment.GetEnvironmentVariable(ModelPathVariable) is { Length: > 0 } configured)
        {
            var full = Path.GetFullPath(configured);
            return File.Exists(full) ? full : throw new FileNotFoundException($"{ModelPathVariable} points to '{full}', which does not exist.");
        }

        var beside = Path.GetFullPath(Path.Combine(Root, "..", "shared", "models", "stories260K.gguf"));
        return File.Exists(beside) ? beside : throw new FileNotFoundException($"The model is not at '{beside}'; set {ModelPathVariable}.");
    }

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
