namespace AiProgress.Worker.Generation;

/// <summary>
/// Lets a streaming call close its response body when its own token fires. OllamaSharp reads the NDJSON body
/// with a synchronous end-of-stream check, and HttpClient drops its link to the caller's token once the
/// headers are in, so a stalled Ollama would otherwise hold the read (and the job) forever. Closing the body
/// wakes the read at once and tells Ollama the client has gone.
/// </summary>
public sealed class CancellableResponseHandler : DelegatingHandler
{
    private static readonly AsyncLocal<BodyScope?> Current = new();

    /// <summary>Every response read under this scope (on this async flow) is closed when <paramref name="token"/> fires.</summary>
    public static IDisposable CloseBodiesOn(CancellationToken token)
    {
        var scope = new BodyScope();
        scope.Registration = token.Register(scope.Close);
        Current.Value = scope;
        return scope;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        if (Current.Value is { } scope)
        {
            // HttpContent hands out this same stream to the reader later.
            scope.Attach(await response.Content.ReadAsStreamAsync(cancellationToken));
        }

        return response;
    }

    private sealed class BodyScope : IDisposable
    {
        private readonly Lock _gate = new();
        private readonly List<Stream> _bodies = [];
        private bool _closed;

        public CancellationTokenRegistration Registration { get; set; }

        public void Attach(Stream body)
        {
            lock (_gate)
            {
                if (!_closed)
                {
                    _bodies.Add(body);
                    return;
                }
            }

            body.Dispose();
        }

        public void Close()
        {
            lock (_gate)
            {
                _closed = true;
                foreach (var body in _bodies) body.Dispose();
                _bodies.Clear();
            }
        }

        public void Dispose()
        {
            Registration.Dispose();
            lock (_gate) _bodies.Clear();
            if (Current.Value == this) Current.Value = null;
        }
    }
}
