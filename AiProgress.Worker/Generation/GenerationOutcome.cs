namespace AiProgress.Worker.Generation;

/// <summary>What Ollama reported at the end of one streaming call.</summary>
public sealed record GenerationOutcome(string DoneReason, int PromptEvalCount, int EvalCount, TimeSpan EvalDuration);

/// <summary>Ollama produced no token for longer than the configured timeout.</summary>
public sealed class OllamaTimeoutException(TimeSpan waited, bool beforeFirstToken)
    : Exception(beforeFirstToken
        ? $"Ollama API timeout: no first token after {waited.TotalSeconds:0} s"
        : $"Ollama API timeout: no token for {waited.TotalSeconds:0} s");

/// <summary>Ollama refused the request for good (unknown model, bad request): retrying cannot help.</summary>
public sealed class OllamaRejectedException(string message, Exception inner) : Exception(message, inner);
