namespace AiProgress.Worker.Progress;

/// <summary>
/// The lengths that speak for one limit, sorted in place, with suffix sums (for the conditional mean) worked out again
/// only when asked after a change. Not thread-safe: <see cref="LengthHistory"/> holds its lock around it.
/// </summary>
internal sealed class SortedLengths(int capacity)
{
    private readonly int[] _sorted = new int[capacity];
    private readonly long[] _suffixSums = new long[capacity + 1];
    private bool _sumsStale;

    public int Count { get; private set; }

    public void Insert(int length)
    {
        var at = FirstAbove(length);
        Array.Copy(_sorted, at, _sorted, at + 1, Count - at);
        _sorted[at] = length;
        Count++;
        _sumsStale = true;
    }

    public void Remove(int length)
    {
        var at = Array.BinarySearch(_sorted, 0, Count, length);
        if (at < 0)
        {
            return;
        }

        Array.Copy(_sorted, at + 1, _sorted, at, Count - at - 1);
        Count--;
        _sumsStale = true;
    }

    /// <summary>How many lengths are longer than <paramref name="tokens"/> (they are the last ones).</summary>
    public int LongerThan(int tokens) => Count - FirstAbove(tokens);

    public double MeanOfLongest(int count)
    {
        if (_sumsStale)
        {
            _suffixSums[Count] = 0;
            for (var i = Count - 1; i >= 0; i--)
            {
                _suffixSums[i] = _suffixSums[i + 1] + _sorted[i];
            }

            _sumsStale = false;
        }

        return (double)_suffixSums[Count - count] / count;
    }

    public double PercentileOfLongest(int count, double p) =>
        _sorted[Count - count + (int)Math.Clamp(Math.Round(p * (count - 1)), 0, count - 1)];

    /// <summary>The index of the first length above <paramref name="value"/> (Count when none is).</summary>
    private int FirstAbove(int value)
    {
        int low = 0, high = Count;
        while (low < high)
        {
            var middle = (low + high) >>> 1;
            if (_sorted[middle] <= value) low = middle + 1;
            else high = middle;
        }

        return low;
    }
}
