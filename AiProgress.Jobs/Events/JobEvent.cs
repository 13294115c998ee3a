namespace AiProgress.Jobs.Events;

/// <summary>One event of a job's stream: its Redis stream id (also the SSE id), its type and its JSON data.</summary>
public sealed record JobEvent(string Id, string Type, string Data)
{
    public JobEvent(string id, (string Type, string Data) body) : this(id, body.Type, body.Data)
    {
    }
}
