using System.Text;

namespace AiProgress.Jobs.Events;

/// <summary>
/// What a job's Pub/Sub note carries: the id of the stream's entry before the append ("" for none) and the events
/// appended, as lines <c>previous \n id \n type \n data …</c> (event data is JSON, which never holds a raw newline).
/// With the previous id a reader knows whether it missed a note; then it reads the stream instead.
/// </summary>
public sealed record JobEventNote(string Previous, IReadOnlyList<JobEvent> Events)
{
    /// <summary>
    /// Parses the note as it came off the wire: each line is decoded once, straight into its own string (the whole
    /// message as a string, then split, made two more copies of every event an API process passes on).
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> message, out JobEventNote note)
    {
        note = null!;
        var lines = message.Count((byte)'\n') + 1;
        if (lines < 4 || (lines - 1) % 3 != 0)
        {
            return false;
        }

        var rest = message;
        var previous = Encoding.UTF8.GetString(NextLine(ref rest));
        var events = new JobEvent[(lines - 1) / 3];
        for (var i = 0; i < events.Length; i++)
        {
            var id = Encoding.UTF8.GetString(NextLine(ref rest));
            var type = TypeName(NextLine(ref rest));
            events[i] = new JobEvent(id, type, Encoding.UTF8.GetString(NextLine(ref rest)));
        }

        note = new JobEventNote(previous, events);
        return true;
    }

    private static ReadOnlySpan<byte> NextLine(ref ReadOnlySpan<byte> rest)
    {
        var end = rest.IndexOf((byte)'\n');
        if (end < 0)
        {
            var last = rest;
            rest = default;
            return last;
        }

        var line = rest[..end];
        rest = rest[(end + 1)..];
        return line;
    }

    // The few types there are, as the shared constants instead of a new string per event.
    private static string TypeName(ReadOnlySpan<byte> type) => type switch
    {
        _ when type.SequenceEqual("text"u8) => JobEventTypes.Text,
        _ when type.SequenceEqual("progress"u8) => JobEventTypes.Progress,
        _ when type.SequenceEqual("complete"u8) => JobEventTypes.Complete,
        _ when type.SequenceEqual("error"u8) => JobEventTypes.Error,
        _ => Encoding.UTF8.GetString(type),
    };
}
