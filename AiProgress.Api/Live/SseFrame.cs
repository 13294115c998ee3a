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

    public static SseFrame Event(string? id, string type, string data, int textEnd = -1, bool fromStream = false)
    {
        var builder = new StringBuilder(data.Length + 64);
        if (id is not null)
        {
            builder.Append("id: ").Append(id).Append('\n');
        }

        builder.Append("event: ").Append(type).Append('\n');
        foreach (var line in data.Split('\n'))
        {
            builder.Append("data: ").Append(line).Append('\n');
        }

        builder.Append('\n');
        return new SseFrame(id, type, Encoding.UTF8.GetBytes(builder.ToString()), textEnd, fromStream);
    }
}
