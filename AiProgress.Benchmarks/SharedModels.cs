namespace AiProgress.Benchmarks;

/// <summary>Finds a model in the "shared/models" folder that sits beside the repository.</summary>
internal static class SharedModels
{
    public static string Find(string fileName)
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "shared", "models", fileName);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }
        throw new FileNotFoundException($"No shared/models/{fileName} above {Directory.GetCurrentDirectory()}; pass --model.");
    }
}
