using System.Text;
using System.Text.Json;

namespace AiProgress.Jobs.Events;

/// <summary>
/// What a watcher who saw every event of a job so far would know: the full text, the latest progress and the
/// terminal event if any. Used for a late watcher's first event and for a worker that takes a job over.
/// </summary>
public sealed class JobEventFold
{
    private readonly StringBuilder _text = new();

    public string Text => _text.ToString();
    public int TextLength => _text.Length;
    public JobEvent? LastProgress { get; private set; }
    public JobEvent? Terminal { get; private set; }
    public string? LastId { get; private set; }
    public string? LastTextId { get; private set; }

    public static JobEventFold From(IEnumerable<JobEvent> events)
    {
        var fold = new JobEventFold();
        foreach (var e in events)
        {
            fold.Apply(e);
        }

        return fold;
    }

    public void Apply(JobEvent e)
    {
        LastId = e.Id;
        switch (e.Type)
        {
            case JobEventTypes.Text:
                LastTextId = e.Id;
                ApplyText(JsonSerializer.Deserialize(e.Data, JobEventJsonContext.Default.TextPayload)!);
                break;
            case JobEventTypes.Progress:
                LastProgress = e;
                break;
            case JobEventTypes.Complete or JobEventTypes.Error:
                Terminal ??= e;
                break;
        }
    }

    /// <summary>The current_tokens of the latest progress event, or 0.</summary>
    public int LastTokenCount() => LastProgress is null
        ? 0
        : JsonSerializer.Deserialize(LastProgress.Data, JobEventJsonContext.Default.ProgressPayload)!.CurrentTokens;

    private void ApplyText(TextPayload text)
    {
        if (text.Reset)
        {
            _text.Clear();
        }

        // Offsets make text events idempotent: keep only the part beyond what is already here.
        var overlap = _text.Length - text.Offset;
        if (text.Offset <= _text.Length && overlap < text.Delta.Length)
        {
            _text.Append(text.Delta, Math.Max(0, overlap), text.Delta.Length - Math.Max(0, overlap));
        }
    }
}
