using AiProgress.Jobs;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using StackExchange.Redis;

namespace AiProgress.Worker.Generation;

/// <summary>
/// Whether the LLM server is there at all, as opposed to slow: its own health endpoint, asked with a short
/// timeout, behind a Polly circuit breaker. While the circuit is open, the server counts as down: workers take
/// no jobs, running ones are handed back, and a mark in Redis lets the API tell watchers; every
/// <see cref="WorkerOptions.LlmRetryInterval"/> one probe is let through, and the first that answers closes it.
/// </summary>
public sealed class LlmServerHealth
{
    public const string HttpClientName = "ollama-probe";
    private static readonly TimeSpan MarkLifetime = TimeSpan.FromSeconds(5);

    private readonly IHttpClientFactory _httpClients;
    private readonly IConnectionMultiplexer _redis;
    private readonly ILogger<LlmServerHealth> _logger;
    private readonly CircuitBreakerStateProvider _state = new();
    private readonly ResiliencePipeline _probe;

    public LlmServerHealth(IHttpClientFactory httpClients, IConnectionMultiplexer redis, IOptions<WorkerOptions> options, ILogger<LlmServerHealth> logger)
    {
        _httpClients = httpClients;
        _redis = redis;
        _logger = logger;
        _probe = new ResiliencePipelineBuilder()
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                // Two failed probes in a row (one suspicion, confirmed at once) open it.
                FailureRatio = 0.5,
                MinimumThroughput = 2,
                SamplingDuration = TimeSpan.FromSeconds(10),
                BreakDuration = options.Value.LlmRetryInterval,
                StateProvider = _state,
                ShouldHandle = new PredicateBuilder().Handle<HttpRequestException>().Handle<TaskCanceledException>().Handle<TimeoutException>(),
                OnOpened = _ =>
                {
                    _logger.LogWarning("The LLM server is not answering: taking no jobs until it is back");
                    WorkerTelemetry.LlmOutages.Add(1);
                    return default;
                },
                OnClosed = _ =>
                {
                    _logger.LogInformation("The LLM server answers again: taking jobs");
                    return default;
                },
            })
            .Build();
    }

    /// <summary>False while the circuit is open: the server was found down and no probe has found it back yet.</summary>
    public bool IsAvailable => _state.CircuitState is CircuitState.Closed or CircuitState.HalfOpen;

    /// <summary>
    /// Asks the server's health endpoint, twice if the first try fails (so one lost packet is not an outage).
    /// True when it answered: whatever was slow was the model, not the server.
    /// </summary>
    public Task<bool> ConfirmUpAsync(CancellationToken cancellationToken)
    {
        // Thousands of jobs still reading their prompts would each ask at once, and a crowd of probes timing out on a
        // busy machine would open the breaker by itself: one probe answers every job that asks while it runs.
        Task<bool> confirming;
        lock (_confirmGate)
        {
            if (_confirming is null || _confirming.IsCompleted)
            {
                _confirming = ConfirmOnceAsync();
            }

            confirming = _confirming;
        }

        return confirming.WaitAsync(cancellationToken);
    }

    private readonly Lock _confirmGate = new();
    private Task<bool>? _confirming;

    private async Task<bool> ConfirmOnceAsync()
    {
        await Task.Yield();
        for (var tries = 0; tries < 2; tries++)
        {
            if (await ProbeAsync(CancellationToken.None))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>One probe through the breaker; false when it failed or the circuit is open.</summary>
    public async Task<bool> ProbeAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _probe.ExecuteAsync(async token =>
            {
                using var client = _httpClients.CreateClient(HttpClientName);
                using var response = await client.GetAsync("/api/version", token);
                response.EnsureSuccessStatusCode();
            }, cancellationToken);
            return true;
        }
        catch (Exception ex) when (ex is BrokenCircuitException or HttpRequestException or TaskCanceledException or TimeoutException
            && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
        finally
        {
            await MarkAsync();
        }
    }

    // The mark is short-lived: workers that still see the server down keep it alive, and it goes by itself.
    private async Task MarkAsync()
    {
        try
        {
            if (!IsAvailable)
            {
                await _redis.GetDatabase().StringSetAsync(RedisKeys.LlmUnavailable, 1, MarkLifetime);
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            _logger.LogDebug(ex, "Could not mark the LLM server as unavailable in Redis");
        }
    }
}

/// <summary>The LLM server is not there (refused, not answering, or its health probe failed): an outage, not the job's fault.</summary>
public sealed class LlmUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
