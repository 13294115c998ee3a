using System.ComponentModel.DataAnnotations;

namespace AiProgress.Worker;

public sealed class WorkerOptions
{
    public const string SectionName = "Worker";

    /// <summary>Jobs this worker generates at once.</summary>
    [Range(1, 10_000)] public int MaxConcurrentJobs { get; set; } = 4;

    /// <summary>The backstop: a job whose queue entry was not touched this long is claimed by another worker, alive or not.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00")] public TimeSpan StallTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>After this many take-ups (crashes, hand-backs) a job ends failed.</summary>
    [Range(1, 100)] public int MaxAttempts { get; set; } = 5;

    /// <summary>How long Ollama may read the prompt before the first token; CPU models need seconds for long prompts.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00")] public TimeSpan FirstTokenTimeout { get; set; } = TimeSpan.FromSeconds(120);

    /// <summary>How long Ollama may go quiet between two tokens before the job fails with a timeout.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00")] public TimeSpan TokenTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Retries of a network error or 5xx from Ollama, with exponential backoff and jitter.</summary>
    [Range(0, 10)] public int MaxOllamaRetries { get; set; } = 3;
    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00")] public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How often new text is published to watchers while tokens flow: every 40–50 ms (one 10 ms look of slack), about 20 updates a second.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00")] public TimeSpan TextInterval { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>How often progress events are published to watchers (4 a second).</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00")] public TimeSpan EventInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>At most one progress row update per job per interval (the seed's 0.5 s).</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00")] public TimeSpan DatabaseWriteInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Safety-net poll of the queue; Pub/Sub wakes idle workers sooner.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00")] public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often this worker refreshes its liveness mark in Redis (on its own timer, never behind MySQL).</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00")] public TimeSpan LivenessInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The mark's lifetime: a worker silent this long is dead, and its jobs are taken over at once.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00")] public TimeSpan LivenessTtl { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>How often an idle or busy worker looks for jobs whose worker died.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00")] public TimeSpan OrphanCheckInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>A job not completed this long after it was created fails (an LLM outage waits until then, not longer).</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "7.00:00:00")] public TimeSpan JobDeadline { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Connecting to the LLM server, and its health probe, may take this long before it counts as down.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00")] public TimeSpan LlmConnectTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>With no first token after this long, the LLM server's health is probed: a slow prompt, or a dead server?</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00")] public TimeSpan LlmProbeAfter { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>While the LLM server is down, it is probed again this often; workers take no jobs meanwhile.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00")] public TimeSpan LlmRetryInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Name of this worker in the consumer group; defaults to host and process id.</summary>
    public string? ConsumerName { get; set; }
}
