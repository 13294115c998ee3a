using Sample = AiProgress.Worker.Progress.CompletionLengths.Sample;

namespace AiProgress.Worker.Progress;

/// <summary>
/// A model's recent completion lengths (a window of the last few hundred) and, for each max_tokens asked about, the
/// lengths that speak for it, kept sorted. A completion updates them in place (one shift of one array per limit)
/// instead of copying and sorting the window again: a few thousand jobs ending together did that once each (31 MB
/// of the worker's allocations in a 2,500-job benchmark case). One lock: it is asked on every progress snapshot.
/// </summary>
internal sealed class LengthHistory
{
    private const int MaxLimits = 64;
    private readonly Sample[] _window;
    private readonly Dictionary<int, SortedLengths> _byLimit = [];
    private int _count;
    private int _next;

    public LengthHistory(int capacity, IEnumerable<Sample> samples)
    {
        _window = new Sample[capacity];
        foreach (var sample in samples)
        {
            Add(sample);
        }
    }

    public void Add(Sample sample)
    {
        lock (_byLimit)
        {
            if (_count == _window.Length)
            {
                var evicted = _window[_next];
                foreach (var (limit, lengths) in _byLimit)
                {
                    if (SpeaksFor(evicted, limit)) lengths.Remove(LengthFor(evicted, limit));
                }
            }
            else
            {
                _count++;
            }

            _window[_next] = sample;
            _next = (_next + 1) % _window.Length;
            foreach (var (limit, lengths) in _byLimit)
            {
                if (SpeaksFor(sample, limit)) lengths.Insert(LengthFor(sample, limit));
            }
        }
    }

    /// <summary>The mean of the lengths longer than what was written, capped at the limit, with the 10th and 90th percentile.</summary>
    public LengthForecast? Forecast(int maxTokens, int tokensSoFar, int minimumHistory)
    {
        lock (_byLimit)
        {
            var lengths = For(maxTokens);
            if (lengths.Count < minimumHistory)
            {
                return null;
            }

            var longer = lengths.LongerThan(tokensSoFar);
            // Longer than anything seen: nothing better to say than the limit.
            return longer == 0
                ? new LengthForecast(maxTokens, tokensSoFar, maxTokens)
                : new LengthForecast(lengths.MeanOfLongest(longer), lengths.PercentileOfLongest(longer, 0.1), lengths.PercentileOfLongest(longer, 0.9));
        }
    }

    private SortedLengths For(int maxTokens)
    {
        if (!_byLimit.TryGetValue(maxTokens, out var lengths))
        {
            if (_byLimit.Count == MaxLimits)
            {
                _byLimit.Clear();
            }

            lengths = new SortedLengths(_window.Length);
            for (var i = 0; i < _count; i++)
            {
                if (SpeaksFor(_window[i], maxTokens)) lengths.Insert(LengthFor(_window[i], maxTokens));
            }

            _byLimit[maxTokens] = lengths;
        }

        return lengths;
    }

    // A sample that stopped at a lower limit only says "at least that long": it counts only where that is enough.
    private static bool SpeaksFor(Sample sample, int maxTokens) => sample.Tokens < sample.MaxTokens || sample.MaxTokens >= maxTokens;

    private static int LengthFor(Sample sample, int maxTokens) => Math.Min(sample.Tokens, maxTokens);
}
