using AiProgress.Jobs.Lifecycle;

namespace AiProgress.Worker.Progress;

/// <summary>
/// The live numbers of one job: tokens, a smoothed rate, elapsed time, ETA and a percentage that never goes
/// backwards. With a length forecast (<see cref="CompletionLengths"/>) progress and ETA are measured against the
/// expected length, which glides towards a moved estimate so the bar does not jump; without one they are
/// the seed's (tokens / max_tokens). Fed from the token stream, read by the progress pump; thread-safe.
/// </summary>
public sealed class ProgressTracker
{
    /// <summary>The rate is measured over this trailing window: reacts within about a second, yet does not jitter.</summary>
    public static readonly TimeSpan RateWindow = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan MinimumRateSpan = TimeSpan.FromMilliseconds(250);
    /// <summary>How fast the expected length closes the gap to a moved estimate (time constant).</summary>
    private static readonly TimeSpan Easing = TimeSpan.FromMilliseconds(1000);

    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly int _maxTokens;
    private readonly DateTimeOffset _startedAt;
    private readonly Queue<long> _recentTokenTimestamps = new();
    private readonly AppendOnlyText _text;
    private long? _firstTokenTimestamp;
    private int _tokens;
    private int _textLength;
    private double _percentage;
    private readonly Func<int, LengthForecast?> _forecast;
    private long _lastEasedAt;
    private double _easedExpected;

    public ProgressTracker(TimeProvider time, int maxTokens, DateTimeOffset startedAt, int tokensSoFar = 0, string textSoFar = "",
        Func<int, LengthForecast?>? forecast = null)
    {
        _forecast = forecast ?? (_ => null);
        _time = time;
        _maxTokens = Math.Max(1, maxTokens);
        _startedAt = startedAt;
        _tokens = tokensSoFar;
        _text = new AppendOnlyText(textSoFar);
        _textLength = _text.Length;
        _percentage = PercentageFor(tokensSoFar);
    }

    /// <summary>Counts a token and appends its text; returns when it came (a timestamp).</summary>
    public long OnPiece(string piece)
    {
        var now = _time.GetTimestamp();
        lock (_gate)
        {
            _firstTokenTimestamp ??= now;
            Volatile.Write(ref _tokens, _tokens + 1);
            _text.Append(piece);
            Volatile.Write(ref _textLength, _text.Length);
            _recentTokenTimestamps.Enqueue(now);
            Volatile.Write(ref _lastTokenAt, now);
        }

        return now;
    }

    private long _lastTokenAt;

    /// <summary>When the last token came (a timestamp; 0 before the first). Read without the lock.</summary>
    public long LastTokenAt => Volatile.Read(ref _lastTokenAt);

    /// <summary>Read without the lock, like <see cref="TextLength"/>.</summary>
    public int Tokens => Volatile.Read(ref _tokens);

    /// <summary>Characters written so far; read without the lock, as the pump looks at every job a hundred times a second.</summary>
    public int TextLength => Volatile.Read(ref _textLength);

    public string TextFrom(int offset)
    {
        lock (_gate)
        {
            return _text.Substring(offset);
        }
    }

    /// <summary>All the text so far, without a copy: it stays as it is while more tokens come (see <see cref="AppendOnlyText"/>).</summary>
    public ReadOnlyMemory<char> Text()
    {
        lock (_gate)
        {
            return _text.Prefix();
        }
    }

    public ProgressSnapshot Snapshot()
    {
        var now = _time.GetTimestamp();
        lock (_gate)
        {
            var rate = RateAt(now);
            var elapsed = (long)Math.Max(0, (_time.GetUtcNow() - _startedAt).TotalMilliseconds);
            long? Eta(double tokens) => rate > 0 ? (long)(Math.Max(0, tokens - _tokens) / rate * 1000) : null;
            if (_forecast(_tokens) is not { } forecast)
            {
                _percentage = Math.Max(_percentage, PercentageFor(_tokens));
                return new ProgressSnapshot(_tokens, Math.Round(rate, 1), elapsed, Eta(_maxTokens), _percentage, _text.Length);
            }

            var expected = Math.Clamp(EaseExpected(forecast.Expected, now), _tokens, _maxTokens);
            _percentage = Math.Max(_percentage, Math.Min(99.0, Math.Round(_tokens * 100.0 / Math.Max(1, expected), 1)));
            return new ProgressSnapshot(_tokens, Math.Round(rate, 1), elapsed, Eta(expected), _percentage, _text.Length,
                ExpectedTokens: (int)Math.Round(expected),
                EstimatedRemainingLowMs: Eta(Math.Clamp(forecast.Low, _tokens, expected)),
                EstimatedRemainingHighMs: Eta(Math.Clamp(forecast.High, expected, _maxTokens)));
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

    /// <summary>
    /// The expected length moves towards a new estimate by a share of the gap that grows with the time since the last
    /// step, so the bar glides when the estimate moves yet keeps pace with the tokens (the percentage is never eased).
    /// </summary>
    private double EaseExpected(double estimate, long now)
    {
        var since = _lastEasedAt == 0 ? (TimeSpan?)null : _time.GetElapsedTime(_lastEasedAt, now);
        _lastEasedAt = now;
        _easedExpected = since is { } dt && _easedExpected > 0
            ? _easedExpected + (estimate - _easedExpected) * (1 - Math.Exp(-dt.TotalMilliseconds / Easing.TotalMilliseconds))
            : estimate;
        return _easedExpected;
    }

    /// <summary>Stays below 100 until the job is completed; only the completion write says 100.</summary>
    private double PercentageFor(int tokens) => Math.Min(99.0, Math.Round(tokens * 100.0 / _maxTokens, 1));
}
