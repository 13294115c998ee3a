namespace AiProgress.Jobs.Events;

/// <summary>
/// What a job's Pub/Sub note carries: the id of the stream's entry before the append ("" for none) and the events
/// appended, as lines <c>previous \n id \n type \n data …</c> (event data is JSON, which never holds a raw newline).
/// With the previous id a reader knows whether it missed a note; then it reads the stream instead.
/// </summary>
public sealed record JobEventNote(string Previous, IReadOnlyList<JobEvent> Events)
{
    public static bool TryParse(string? message, out JobEventNote note)
    {
        note = null!;
        if (message is null)
        {
            return false;
        }

        var lines = message.Split('\n');
        if (lines.Length < 4 || (lines.Length - 1) % 3 != 0)
        {
            return false;
        }

        var events = new JobEvent[(lines.Length - 1) / 3];
        for (var i = 0; i < events.Length; i++)
        {
            events[i] = new JobEvent(lines[1 + i * 3], lines[2 + i * 3], lines[3 + i * 3]);
        }

        note = new JobEventNote(lines[0], events);
        return true;
    }
}
