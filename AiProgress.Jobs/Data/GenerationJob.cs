namespace AiProgress.Jobs.Data;

/// <summary>One row of <c>ai_generation_jobs</c>: the request, its live progress and its outcome.</summary>
public sealed class GenerationJob
{
    public required string JobId { get; set; }
    public required string ClientId { get; set; }
    public string Status { get; set; } = JobStatus.Queued;

    public required string Prompt { get; set; }
    public string? SystemPrompt { get; set; }
    public required string Model { get; set; }
    public int MaxTokens { get; set; }
    public double? Temperature { get; set; }

    public double ProgressPercentage { get; set; }
    public int CurrentTokens { get; set; }
    public double TokensPerSecond { get; set; }
    /// <summary>Milliseconds since processing began.</summary>
    public long ElapsedTime { get; set; }
    /// <summary>Milliseconds still expected, or null before a rate is known.</summary>
    public long? EstimatedTimeRemaining { get; set; }
    public DateTime? LastUpdateAt { get; set; }

    public int? PromptTokens { get; set; }
    public int? CompletionTokens { get; set; }
    public int? TotalTokens { get; set; }

    public string GeneratedText { get; set; } = "";
    public string? ErrorMessage { get; set; }

    public DateTime CreatedAt { get; set; }
    public DateTime? StartedAt { get; set; }
    public DateTime? CompletedAt { get; set; }

    /// <summary>How many times a worker has taken the job up; fences writes from a worker that lost it.</summary>
    public int Attempt { get; set; }
    /// <summary>Attempts handed back because the LLM server was down: they do not count against the attempt limit.</summary>
    public int OutageHandbacks { get; set; }
    /// <summary>W3C traceparent of the request that created the job.</summary>
    public string? TraceParent { get; set; }
}
