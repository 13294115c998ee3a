using AiProgress.Jobs.Lifecycle;

namespace AiProgress.Worker.Progress;

/// <summary>
/// The live numbers of one job: tokens, a smoothed rate, elapsed time, ETA and a percentage that never goes
/// backwards. Fed from the token stream, read by the progress pump; thread-safe.
/// </summary>
public sealed class ProgressTracker
{
    /// <summary>The rate is measured over this trailing window: reacts within about a second, yet does not jitter.</summary>
    public static readonly TimeSpan RateWindow = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan MinimumRateSpan = TimeSpan.FromMilliseconds(250);

    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly int _maxTokens;
    private readonly DateTimeOffset _startedAt;
    private readonly Queue<long> _recentTokenTimestamps = new();
    private readonly System.Text.StringBuilder _text;
    private long? _firstTokenTimestamp;
    private int _tokens;
    private double _percentage;

    public ProgressTracker(TimeProvider time, int maxTokens, DateTimeOffset startedAt, int tokensSoFar = 0, string textSoFar = "")
    {
        _time = time;
        _maxTokens = Math.Max(1, maxTokens);
        _startedAt = startedAt;
        _tokens = tokensSoFar;
        _text = new System.Text.StringBuilder(textSoFar);
        _percentage = PercentageFor(tokensSoFar);
    }

    public void OnPiece(string piece)
    {
        var now = _time.GetTimestamp();
        lock (_gate)
        {
            _firstTokenTimestamp ??= now;
            _tokens++;
            _text.Append(piece);
            _recentTokenTimestamps.Enqueue(now);
        }
    }

    public int Tokens { get { lock (_gate) { return _tokens; } } }

    public string TextFrom(int offset)
    {
        lock (_gate)
        {
            return offset >= _text.Length ? "" : _text.ToString(offset, _text.Length - offset);
        }
    }

    public ProgressSnapshot Snapshot()
    {
        var now = _time.GetTimestamp();
        lock (_gate)
        {
            var rate = RateAt(now);
            var remainingTokens = Math.Max(0, _maxTokens - _tokens);
            long? eta = rate > 0 ? (long)(remainingTokens / rate * 1000) : null;
            _percentage = Math.Max(_percentage, PercentageFor(_tokens));
            var elapsed = (long)Math.Max(0, (_time.GetUtcNow() - _startedAt).TotalMilliseconds);
            return new ProgressSnapshot(_tokens, Math.Round(rate, 1), elapsed, eta, _percentage, _text.Length);
        }
    }

    private double RateAt(long now)
    {
        if (_firstTokenTimestamp is not { } first)
        {
            return 0;
        }

        var windowStart = now - (long)(RateWindow.TotalSeconds * _time.TimestampFrequency);
        while (_recentTokenTimestamps.Count > 0 && _recentTokenTimestamps.Peek() < windowStart)
        {
            _recentTokenTimestamps.Dequeue();
        }

        var sinceFirst = _time.GetElapsedTime(first, now);
        var span = sinceFirst < RateWindow ? sinceFirst : RateWindow;
        if (span < MinimumRateSpan)
        {
            span = MinimumRateSpan;
        }

        return _recentTokenTimestamps.Count / span.TotalSeconds;
    }

    /// <summary>Stays below 100 until the job is completed; only the completion write says 100.</summary>
    private double PercentageFor(int tokens) => Math.Min(99.0, Math.Round(tokens * 100.0 / _maxTokens, 1));
}
