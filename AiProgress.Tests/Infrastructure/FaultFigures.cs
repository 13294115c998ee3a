namespace AiProgress.Tests.Infrastructure;

/// <summary>
/// Figures the fault tests measure (time to "stalled", to resume, to settle), kept in
/// TestResults/fault-figures.md so that ./test.sh can print them after the run.
/// </summary>
internal static class FaultFigures
{
    private static readonly Lock Gate = new();

    public static string FilePath { get; } = Path.Combine(RepositoryPaths.Root, "AiProgress.Tests", "TestResults", "fault-figures.md");

    public static void Record(string scenario, params (string Name, TimeSpan? Value)[] figures)
    {
        var line = $"| {scenario} | " + string.Join(" | ", figures.Select(f => $"{f.Name}: {(f.Value is { } v ? $"{v.TotalSeconds:0.0} s" : "n/a")}")) + " |";
        lock (Gate)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(FilePath)!);
            File.AppendAllText(FilePath, line + Environment.NewLine);
        }
    }
}
