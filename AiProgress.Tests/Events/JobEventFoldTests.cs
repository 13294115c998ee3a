using System.Text.Json;
using AiProgress.Jobs.Events;
using AiProgress.Jobs.Lifecycle;
using AiProgress.Testing;

namespace AiProgress.Tests.Events;

public class JobEventFoldTests
{
    private static JobEvent Text(string id, int offset, string delta, bool reset = false) => new(id, JobEvents.Text(offset, delta, reset));

    [Fact]
    public void OverlappingAndDuplicateTextEventsAreAppliedOnce()
    {
        var fold = JobEventFold.From([
            Text("1-0", 0, "Once "),
            Text("2-0", 0, "Once "),
            Text("3-0", 3, "e upon"),
            Text("4-0", 9, " a time"),
        ]);

        Assert.Equal("Once upon a time", fold.Text);
        Assert.Equal("4-0", fold.LastId);
        Assert.False(fold.HasGap);
    }

    [Fact]
    public void ADisagreeingOverlapIsWonByTheNewerEvent()
    {
        var fold = JobEventFold.From([Text("1-0", 0, "Once upon a dog"), Text("2-0", 12, "time")]);
        Assert.Equal("Once upon a time", fold.Text);
    }

    [Fact]
    public void AGapIsNotGuessedButFlagged()
    {
        var fold = JobEventFold.From([Text("1-0", 0, "Once"), Text("2-0", 9, "a time")]);
        Assert.Equal(("Once", true), (fold.Text, fold.HasGap));
    }

    [Fact]
    public void ResetClearsTheText()
    {
        var fold = JobEventFold.From([Text("1-0", 0, "abc"), Text("2-0", 0, "", reset: true), Text("3-0", 0, "xy")]);
        Assert.Equal("xy", fold.Text);
    }

    [Fact]
    public void KeepsTheLatestProgressAndTheFirstTerminalEvent()
    {
        var progress = new JobEvent("5-0", JobEvents.Progress("processing", new ProgressSnapshot(34, 5.5, 1000, 2000, 12, 0), DateTimeOffset.UtcNow));
        var error = new JobEvent("6-0", JobEvents.Failed("boom"));
        var fold = JobEventFold.From([progress, error]);

        Assert.Equal(34, fold.LastTokenCount());
        Assert.Same(error, fold.Terminal);
    }

    public static TheoryData<string> MergeCaseNames() => new(MergeCases().Select(c => c.Name));

    /// <summary>The same file drives the browser's mergeText spec, so server and page follow one rule.</summary>
    [Theory]
    [MemberData(nameof(MergeCaseNames))]
    public void TextMergeFollowsTheContractsRule(string name)
    {
        var c = MergeCases().Single(c => c.Name == name);

        var merged = TextMerge.Apply(c.Current, c.Offset, c.Delta);
        var fold = JobEventFold.From([Text("1-0", 0, c.Current), Text("2-0", c.Offset, c.Delta)]);

        Assert.Equal((c.Text, c.Gap), (merged.Text, merged.Gap));
        Assert.Equal((c.Text, c.Gap), (fold.Text, fold.HasGap));
    }

    private sealed record MergeCase(string Name, string Current, int Offset, string Delta, string Text, bool Gap);

    private static MergeCase[] MergeCases() => JsonSerializer.Deserialize<MergeCase[]>(
        File.ReadAllText(Path.Combine(RepositoryPaths.Root, "AiProgress.Jobs", "Events", "text-merge-cases.json")),
        new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
}
