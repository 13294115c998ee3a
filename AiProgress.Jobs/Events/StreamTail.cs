namespace AiProgress.Jobs.Events;

/// <summary>Where an append left a job's event stream: the id of its last entry and the stream's length then.</summary>
public readonly record struct StreamTail(string LastId, long Length)
{
    /// <summary>For a publisher that has not appended yet (or whose last append may or may not have gone in).</summary>
    public static readonly StreamTail Unknown = new("", -1);
}
