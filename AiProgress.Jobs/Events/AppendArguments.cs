using StackExchange.Redis;

namespace AiProgress.Jobs.Events;

/// <summary>
/// The append script's argument arrays of one publisher of one job, kept between its appends (one at a time): at
/// thousands of jobs a new array per append was the worker's largest allocation after strings. An array is handed
/// back only once its append was answered; one whose append failed may still be written later by the connection,
/// so it is never used again.
/// </summary>
public sealed class AppendArguments
{
    // One slot per event count the worker sends: text alone, or text with progress (or the last text and the end).
    private readonly RedisValue[]?[] _free = new RedisValue[]?[2];
    private RedisValue[]? _lent;
    private int _lentSlot;

    internal RedisValue[] Rent(int events)
    {
        var slot = events - 1;
        var arguments = slot < _free.Length && _free[slot] is { } free ? free : new RedisValue[JobEventStream.ArgumentCount(events)];
        if (slot < _free.Length)
        {
            _free[slot] = null;
        }

        _lent = arguments;
        _lentSlot = slot;
        return arguments;
    }

    /// <summary>The last append was answered: its array may be used again.</summary>
    public void Return()
    {
        if (_lent is not { } lent)
        {
            return;
        }

        _lent = null;
        if (_lentSlot < _free.Length)
        {
            // Cleared: the events' strings must not outlive the append because a long-lived array holds them.
            Array.Clear(lent);
            _free[_lentSlot] = lent;
        }
    }
}
