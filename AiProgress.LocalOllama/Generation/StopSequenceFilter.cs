namespace AiProgress.LocalOllama.Generation;

/// <summary>
/// Holds back text that might be the start of a stop string, so that a stop string is never sent,
/// not even in part, while everything before it is sent as soon as it cannot belong to one.
/// </summary>
internal sealed class StopSequenceFilter(IReadOnlyList<string> stops)
{
    private readonly string[] _stops = stops.Where(s => s.Length > 0).ToArray();
    private string _pending = "";

    public bool Stopped { get; private set; }

    /// <summary>Adds generated text; returns the text that is safe to send now.</summary>
    public string Push(string text)
    {
        if (Stopped)
        {
            return "";
        }
        if (_stops.Length == 0)
        {
            return text;
        }

        var buffer = _pending + text;
        var firstStop = _stops.Select(s => buffer.IndexOf(s, StringComparison.Ordinal)).Where(i => i >= 0).DefaultIfEmpty(-1).Min();
        if (firstStop >= 0)
        {
            Stopped = true;
            _pending = "";
            return buffer[..firstStop];
        }

        var held = LongestSuffixThatStartsAStop(buffer);
        _pending = buffer[^held..];
        return buffer[..^held];
    }

    /// <summary>The held-back text, once generation has ended without a stop string.</summary>
    public string Flush()
    {
        var rest = Stopped ? "" : _pending;
        _pending = "";
        return rest;
    }

    private int LongestSuffixThatStartsAStop(string buffer)
    {
        var longest = 0;
        foreach (var stop in _stops)
        {
            for (var length = Math.Min(stop.Length - 1, buffer.Length); length > longest; length--)
            {
                if (buffer.AsSpan(buffer.Length - length).SequenceEqual(stop.AsSpan(0, length)))
                {
                    longest = length;
                    break;
                }
            }
        }
        return longest;
    }
}
