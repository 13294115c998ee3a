namespace AiProgress.Jobs.Queue;

/// <summary>A job's place in the queue stream: the stream entry id and what travels with it.</summary>
public sealed record QueueEntry(string EntryId, string JobId, string? TraceParent, DateTimeOffset EnqueuedAt);
