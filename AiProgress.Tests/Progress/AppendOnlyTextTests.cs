using AiProgress.Worker.Progress;

namespace AiProgress.Tests.Progress;

/// <summary>A prefix handed to a row write must not change while the job goes on writing.</summary>
public sealed class AppendOnlyTextTests
{
    [Fact]
    public void A_prefix_keeps_its_text_while_more_is_appended_across_growths()
    {
        var text = new AppendOnlyText("Once");
        var early = text.Prefix();

        for (var i = 0; i < 200; i++)
        {
            text.Append(" upon a time");
        }

        Assert.Equal("Once", early.ToString());
        Assert.Equal(4 + 200 * 12, text.Length);
        Assert.Equal("Once" + string.Concat(Enumerable.Repeat(" upon a time", 200)), text.Prefix().ToString());
    }

    [Fact]
    public void A_prefix_taken_before_an_append_within_the_same_array_is_not_extended_by_it()
    {
        var text = new AppendOnlyText("");
        text.Append("ab");
        var before = text.Prefix();

        text.Append("cd");

        Assert.Equal("ab", before.ToString());
        Assert.Equal("cd", text.Substring(2));
        Assert.Equal("", text.Substring(4));
    }
}
