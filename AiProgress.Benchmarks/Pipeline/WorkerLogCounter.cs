using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace AiProgress.Benchmarks.Pipeline;

/// <summary>
/// Counts what the worker's progress pump says about jobs it believes were cancelled or taken over. Nothing in this
/// benchmark cancels a job or runs a second worker, so every such stop is a false one.
/// </summary>
internal sealed class WorkerLogCounter : ILoggerProvider
{
    public const string Category = "AiProgress.Worker.Jobs.ProgressPump";
    private int _stoppedAsLost;
    private int _writeWarnings;

    /// <summary>"Job X was cancelled or taken over; stopping it here".</summary>
    public int StoppedAsLost => Volatile.Read(ref _stoppedAsLost);

    /// <summary>The jobs of those messages.</summary>
    public ConcurrentQueue<string> LostJobIds { get; } = new();

    /// <summary>"Could not write progress for N jobs".</summary>
    public int WriteWarnings => Volatile.Read(ref _writeWarnings);

    public ILogger CreateLogger(string categoryName) => new Counter(this, categoryName == Category);

    public void Dispose()
    {
    }

    private sealed class Counter(WorkerLogCounter owner, bool counts) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => counts;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var message = formatter(state, exception);
            if (message.Contains("was cancelled or taken over", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref owner._stoppedAsLost);
                if (state is IReadOnlyList<KeyValuePair<string, object?>> values && values.FirstOrDefault(v => v.Key == "JobId").Value is string jobId)
                {
                    owner.LostJobIds.Enqueue(jobId);
                }
            }

            if (message.StartsWith("Could not write progress", StringComparison.Ordinal)) Interlocked.Increment(ref owner._writeWarnings);
        }
    }
}
