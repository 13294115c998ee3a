using System.Diagnostics.Metrics;

namespace AiProgress.LocalOllama.Telemetry;

/// <summary>
/// Live counts of the generation work, kept both as plain numbers (so tests can see that a disconnect
/// really stops llama.cpp) and as OpenTelemetry instruments.
/// </summary>
public sealed class GenerationStats
{
    private readonly UpDownCounter<int> _activeSequences;
    private readonly UpDownCounter<int> _queuedRequests;
    private readonly Counter<long> _tokensGenerated;
    private readonly Histogram<double> _timeToFirstToken;
    private int _active;
    private int _queued;
    private long _totalTokens;

    public GenerationStats(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(LocalOllamaTelemetry.Name);
        _activeSequences = meter.CreateUpDownCounter<int>("localollama.sequences.active", "{sequence}", "Sequences that hold a llama.cpp context.");
        _queuedRequests = meter.CreateUpDownCounter<int>("localollama.requests.queued", "{request}", "Requests waiting for a free sequence.");
        _tokensGenerated = meter.CreateCounter<long>("localollama.tokens.generated", "{token}", "Tokens sampled by all sequences.");
        _timeToFirstToken = meter.CreateHistogram<double>("localollama.time_to_first_token", "s", "Time from the request's arrival to its first sampled token.");
    }

    public int ActiveSequences => Volatile.Read(ref _active);

    public int QueuedRequests => Volatile.Read(ref _queued);

    public long TotalTokensGenerated => Interlocked.Read(ref _totalTokens);

    internal void SequenceStarted(string model)
    {
        Interlocked.Increment(ref _active);
        _activeSequences.Add(1, new KeyValuePair<string, object?>("gen_ai.request.model", model));
    }

    internal void SequenceEnded(string model)
    {
        Interlocked.Decrement(ref _active);
        _activeSequences.Add(-1, new KeyValuePair<string, object?>("gen_ai.request.model", model));
    }

    internal void RequestQueued()
    {
        Interlocked.Increment(ref _queued);
        _queuedRequests.Add(1);
    }

    internal void RequestDequeued()
    {
        Interlocked.Decrement(ref _queued);
        _queuedRequests.Add(-1);
    }

    internal void TokenGenerated(string model)
    {
        Interlocked.Increment(ref _totalTokens);
        _tokensGenerated.Add(1, new KeyValuePair<string, object?>("gen_ai.request.model", model));
    }

    internal void FirstToken(string model, TimeSpan sinceArrival) =>
        _timeToFirstToken.Record(sinceArrival.TotalSeconds, new KeyValuePair<string, object?>("gen_ai.request.model", model));
}
