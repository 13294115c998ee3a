using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace AiProgress.Api.Live;

/// <summary>Caps the progress streams one client holds open in this process.</summary>
public sealed class StreamLimiter(IOptions<ApiOptions> options)
{
    private readonly ConcurrentDictionary<string, int> _open = new();

    public IDisposable? TryAcquire(string clientId)
    {
        var count = _open.AddOrUpdate(clientId, 1, (_, n) => n + 1);
        if (count <= options.Value.MaxStreamsPerClient)
        {
            return new Lease(this, clientId);
        }

        Release(clientId);
        return null;
    }

    private void Release(string clientId)
    {
        if (_open.AddOrUpdate(clientId, 0, (_, n) => n - 1) <= 0)
        {
            _open.TryRemove(new KeyValuePair<string, int>(clientId, 0));
        }
    }

    private sealed class Lease(StreamLimiter limiter, string clientId) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                limiter.Release(clientId);
            }
        }
    }
}
