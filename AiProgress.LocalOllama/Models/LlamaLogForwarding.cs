using LLama.Native;

namespace AiProgress.LocalOllama.Models;

/// <summary>Sends llama.cpp's own log lines to .NET logging instead of stderr.</summary>
internal static class LlamaLogForwarding
{
    // llama.cpp has one process-wide log callback; several hosts in one process (tests) share it.
    private static ILogger? _current;
    private static readonly object Gate = new();
    private static bool _registered;

    public static void ForwardTo(ILogger logger)
    {
        _current = logger;
        lock (Gate)
        {
            if (_registered)
            {
                return;
            }
            NativeLogConfig.llama_log_set(Forward);
            _registered = true;
        }
    }

    private static void Forward(LLamaLogLevel level, string message)
    {
        var logLevel = level switch
        {
            LLamaLogLevel.Error => LogLevel.Error,
            LLamaLogLevel.Warning => LogLevel.Warning,
            LLamaLogLevel.Info => LogLevel.Information,
            _ => LogLevel.Debug,
        };
        try
        {
            _current?.Log(logLevel, "{LlamaMessage}", message.TrimEnd());
        }
        catch (ObjectDisposedException)
        {
            // The host that owned the logger has stopped; the line is not worth a crash in native code.
        }
    }
}
