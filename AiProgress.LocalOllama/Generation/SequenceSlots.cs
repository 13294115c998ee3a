using System.Threading.RateLimiting;
using AiProgress.LocalOllama.Settings;
using AiProgress.LocalOllama.Telemetry;
using Microsoft.Extensions.Options;

namespace AiProgress.LocalOllama.Generation;

/// <summary>
/// At most NumParallel sequences at once; up to MaxQueue more wait their turn first come, first
/// served; beyond that a request is turned away, as Ollama does.
/// </summary>
internal sealed class SequenceSlots : IDisposable
{
    private readonly ConcurrencyLimiter _limiter;
    private readonly GenerationStats _stats;

    public SequenceSlots(IOptions<LocalOllamaOptions> options, GenerationStats stats)
    {
        _stats = stats;
        _limiter = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
        {
            PermitLimit = options.Value.NumParallel,
            QueueLimit = options.Value.MaxQueue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
    }

    /// <summary>A lease to dispose when the sequence ends, or null when the queue is full.</summary>
    public async ValueTask<IDisposable?> AcquireAsync(CancellationToken cancellationToken)
    {
        var lease = _limiter.AttemptAcquire();
        if (!lease.IsAcquired)
        {
            lease.Dispose();
            _stats.RequestQueued();
            try
            {
                lease = await _limiter.AcquireAsync(1, cancellationToken);
            }
            finally
            {
                _stats.RequestDequeued();
            }
        }

        if (lease.IsAcquired)
        {
            return lease;
        }
        lease.Dispose();
        return null;
    }

    public void Dispose() => _limiter.Dispose();
}
