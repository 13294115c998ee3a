using AiProgress.LocalOllama.Generation;

namespace AiProgress.Tests.LocalOllama;

public sealed class StopSequenceFilterTests
{
    [Fact]
    public void WithoutStops_TextPassesStraightThrough()
    {
        var filter = new StopSequenceFilter([]);

        Assert.Equal("Once", filter.Push("Once"));
        Assert.Equal(" upon", filter.Push(" upon"));
        Assert.False(filter.Stopped);
        Assert.Equal("", filter.Flush());
    }

    [Fact]
    public void EmptyStopStrings_AreIgnored()
    {
        var filter = new StopSequenceFilter(["", ""]);

        Assert.Equal("abc", filter.Push("abc"));
        Assert.False(filter.Stopped);
    }

    [Fact]
    public void AStopInsideOnePiece_CutsBeforeIt()
    {
        var filter = new StopSequenceFilter(["END"]);

        Assert.Equal("the ", filter.Push("the END of it"));
        Assert.True(filter.Stopped);
        Assert.Equal("", filter.Push("more"));
        Assert.Equal("", filter.Flush());
    }

    [Fact]
    public void AStopSplitOverPieces_IsHeldBackAndNeverSent()
    {
        var filter = new StopSequenceFilter(["\nUser:"]);
        var sent = new List<string>
        {
            filter.Push("Hello"),
            filter.Push("\n"),
            filter.Push("Us"),
            filter.Push("er"),
        };
        Assert.False(filter.Stopped);
        sent.Add(filter.Push(": hi"));

        Assert.True(filter.Stopped);
        Assert.Equal("Hello", string.Concat(sent));
        Assert.Equal(["Hello", "", "", "", ""], sent);
    }

    [Fact]
    public void APrefixThatDoesNotBecomeTheStop_IsReleased()
    {
        var filter = new StopSequenceFilter(["Lily"]);

        Assert.Equal("a ", filter.Push("a L"));
        Assert.Equal("Lake", filter.Push("ake"));
        Assert.False(filter.Stopped);
    }

    [Fact]
    public void TheHeldText_IsFlushedWhenGenerationEndsWithoutTheStop()
    {
        var filter = new StopSequenceFilter(["STOP"]);

        Assert.Equal("go ", filter.Push("go ST"));
        Assert.Equal("ST", filter.Flush());
        Assert.Equal("", filter.Flush());
    }

    [Fact]
    public void WithSeveralStops_TheEarliestWins()
    {
        var filter = new StopSequenceFilter(["dog", "cat"]);

        Assert.Equal("a ", filter.Push("a cat and a dog"));
        Assert.True(filter.Stopped);
    }

    [Fact]
    public void WhatMayStartAnyStop_IsHeld_UntilItCannot()
    {
        var filter = new StopSequenceFilter(["abc", "bcx"]);

        // "bc" may be the start of "bcx", so only "z" is safe; "y" rules that out.
        Assert.Equal("z", filter.Push("zbc"));
        Assert.Equal("bcy", filter.Push("y"));
        Assert.Equal("", filter.Push("ab"));
        Assert.Equal("", filter.Push("c"));
        Assert.True(filter.Stopped);
    }

    [Fact]
    public void AStopAtTheVeryStart_SendsNothing()
    {
        var filter = new StopSequenceFilter(["###"]);

        Assert.Equal("", filter.Push("##"));
        Assert.Equal("", filter.Push("#tail"));
        Assert.True(filter.Stopped);
        Assert.Equal("", filter.Flush());
    }
}
