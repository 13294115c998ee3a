using System.Text;

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

    /// <summary>A text event started beyond the text held: something was missed, and this fold does not guess.</summary>
    public bool HasGap { get; private set; }

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
                ApplyText(JobEvents.ReadText(e.Data));
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
        : JobEvents.ReadProgress(LastProgress.Data).CurrentTokens;

    private void ApplyText(TextPayload text)
    {
        if (text.Reset)
        {
            _text.Clear();
            HasGap = false;
        }

        if (text.Offset == _text.Length)
        {
            // The usual case, without copying the text held.
            _text.Append(text.Delta);
            return;
        }

        switch (TextMerge.Apply(_text.ToString(), text.Offset, text.Delta))
        {
            case { Gap: true }:
                HasGap = true;
                break;
            case { Text: var merged }:
                _text.Clear().Append(merged);
                break;
        }
    }
}
