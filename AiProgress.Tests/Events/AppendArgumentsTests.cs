using AiProgress.Jobs.Events;
using StackExchange.Redis;

namespace AiProgress.Tests.Events;

/// <summary>A job's append arrays are used again only once their append was answered, and never hold old events.</summary>
public sealed class AppendArgumentsTests
{
    [Fact]
    public void An_answered_appends_array_comes_back_cleared_for_the_same_number_of_events()
    {
        var arguments = new AppendArguments();
        var first = arguments.Rent(1);
        first[7] = "text";
        first[8] = "{\"delta\":\"old\"}";
        arguments.Return();

        var second = arguments.Rent(1);

        Assert.Same(first, second);
        Assert.Equal(9, second.Length);
        Assert.All(second, value => Assert.True(value.IsNull));
        Assert.Equal(11, arguments.Rent(2).Length);
    }

    [Fact]
    public void An_array_whose_append_was_never_answered_is_not_handed_out_again()
    {
        var arguments = new AppendArguments();
        var failed = arguments.Rent(1);
        // No Return: the append failed (a timeout), and the connection may still write that array later.

        var next = arguments.Rent(1);
        arguments.Return();

        Assert.NotSame(failed, next);
        Assert.Same(next, arguments.Rent(1));
    }

    [Fact]
    public void Appends_of_more_events_than_the_kept_sizes_get_arrays_of_their_own()
    {
        var arguments = new AppendArguments();
        var three = arguments.Rent(3);
        arguments.Return();

        Assert.Equal(13, three.Length);
        Assert.NotSame(three, arguments.Rent(3));
    }
}
