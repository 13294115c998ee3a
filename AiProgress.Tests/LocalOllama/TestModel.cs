namespace AiProgress.Tests.LocalOllama;

/// <summary>The GGUF file the tests serve: shared/models/stories260K.gguf beside the repository, or AIPROGRESS_MODEL_PATH.</summary>
internal static class TestModel
{
    /// <summary>The name the server gives the model when none is configured: the file name without extension.</summary>
    public const string Name = "stories260K";

    public static string Path => RepositoryPaths.ModelPath;
}
