using AiProgress.Jobs.Events;

namespace AiProgress.Tests.Events;

public class JobEventFoldTests
{
    private static JobEvent Text(string id, int offset, string delta, bool reset = false) =>
        new(id, JobEventTypes.Text, JobEventStream.Serialize(new TextPayload(offset, delta, reset)));

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
        var progress = new JobEvent("5-0", JobEventTypes.Progress,
            JobEventStream.Serialize(new ProgressPayload("processing", 12, 34, 5.5, 1000, 2000, 1)));
        var error = new JobEvent("6-0", JobEventTypes.Error, JobEventStream.Serialize(new ErrorPayload("failed", "boom")));
        var fold = JobEventFold.From([progress, error]);

        Assert.Equal(34, fold.LastTokenCount());
        Assert.Same(error, fold.Terminal);
    }
}
