using System.Text;
using AiProgress.Jobs.Events;

namespace AiProgress.Api.Live;

/// <summary>
/// One event as the bytes a watcher receives, encoded once and written to every watcher of the job in this process.
/// </summary>
public sealed class SseFrame
{
    private SseFrame(string? id, string type, byte[] bytes, int textEnd = -1, bool fromStream = false)
    {
        Id = id;
        Type = type;
        Bytes = bytes;
        TextEnd = textEnd;
        FromStream = fromStream;
        StreamIds.TryParse(id, out var order);
        Order = order;
    }

    public string? Id { get; }
    public string Type { get; }
    public byte[] Bytes { get; }

    /// <summary>The id as a comparable pair; (0, 0) for a frame without id.</summary>
    public (long Ms, long Seq) Order { get; }

    /// <summary>The length of the job's text once this frame is applied; -1 when the frame carries no text.</summary>
    public int TextEnd { get; }

    /// <summary>True for an event read from the job's Redis stream (its id is the append time), not made here.</summary>
    public bool FromStream { get; }

    public bool IsTerminal => JobEventTypes.IsTerminal(Type);
    public bool IsComment => Id is null && Type.Length == 0;

    public static readonly SseFrame Ping = new(null, "", Encoding.UTF8.GetBytes(": ping\n\n"));

    public static SseFrame From(JobEvent e, int textEnd = -1, bool fromStream = false) => Event(e.Id, e.Type, e.Data, textEnd, fromStream);

    public static SseFrame Event(string? id, string type, string data, int textEnd = -1, bool fromStream = false) =>
        new(id, type, Encode(id, type, data), textEnd, fromStream);

    // Straight into the frame's bytes: a StringBuilder, its string and their encoding made three more copies of every
    // event, thousands a second at 5,000 watchers, and each copy brought the API's next collection nearer.
    private static byte[] Encode(string? id, string type, string data)
    {
        var utf8 = Encoding.UTF8;
        var lines = data.AsSpan().Count('\n') + 1;
        var length = (id is null ? 0 : "id: "u8.Length + utf8.GetByteCount(id) + 1)
            + "event: "u8.Length + utf8.GetByteCount(type) + 1
            // The data's own newlines end its lines; the last line gets one more, then the blank line ends the event.
            + lines * "data: "u8.Length + utf8.GetByteCount(data) + 1
            + 1;
        var bytes = new byte[length];
        var rest = bytes.AsSpan();
        if (id is not null)
        {
            Field(ref rest, "id: "u8, id);
        }

        Field(ref rest, "event: "u8, type);
        foreach (var line in data.AsSpan().Split('\n'))
        {
            Field(ref rest, "data: "u8, data.AsSpan(line));
        }

        rest[0] = (byte)'\n';
        return bytes;

        static void Field(ref Span<byte> rest, ReadOnlySpan<byte> name, ReadOnlySpan<char> value)
        {
            name.CopyTo(rest);
            var written = name.Length + Encoding.UTF8.GetBytes(value, rest[name.Length..]);
            rest[written] = (byte)'\n';
            rest = rest[(written + 1)..];
        }
    }
}
