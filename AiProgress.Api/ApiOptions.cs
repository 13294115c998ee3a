using System.ComponentModel.DataAnnotations;
using System.Net;

namespace AiProgress.Api;

/// <summary>
/// The API's settings (section <c>Api</c>). Limit defaults are far above what one person at one machine does,
/// so they only ever meet abuse; every one is validated at start.
/// </summary>
public sealed class ApiOptions : IValidatableObject
{
    public const string SectionName = "Api";
    public const int MinApiKeyLength = 32;

    /// <summary>The model used when a request names none.</summary>
    [Required] public string DefaultModel { get; set; } = "stories260K";

    /// <summary>Keys accepted as <c>Authorization: Bearer</c> for scripts; each key is its own client. Hashed at start.</summary>
    public List<string> ApiKeys { get; set; } = [];

    /// <summary>The same as <see cref="ApiKeys"/>, given as hex SHA-256 hashes so the keys themselves are stored nowhere.</summary>
    public List<string> ApiKeySha256 { get; set; } = [];

    /// <summary>The one browser origin allowed by CORS (the web UI).</summary>
    public string? WebOrigin { get; set; }

    /// <summary>Reverse proxies (IP addresses) whose X-Forwarded-For/-Proto are believed; with none set, loopback only.</summary>
    public List<string> KnownProxies { get; set; } = [];

    /// <summary>Networks (CIDR, e.g. <c>10.0.0.0/8</c>) whose forwarded headers are believed.</summary>
    public List<string> KnownNetworks { get; set; } = [];

    /// <summary>Jobs one client may create per minute.</summary>
    [Range(1, 1_000_000)] public int CreatePerMinute { get; set; } = 60;

    /// <summary>Jobs all clients at one source address (an IPv6 /64) may create per minute.</summary>
    [Range(1, 1_000_000)] public int CreatePerMinutePerAddress { get; set; } = 120;

    /// <summary>Jobs this API process accepts per minute from everyone together.</summary>
    [Range(1, 10_000_000)] public int CreatePerMinuteTotal { get; set; } = 3_000;

    /// <summary>Queued plus processing jobs one client may have (429 beyond).</summary>
    [Range(1, 1_000_000)] public int MaxOpenJobsPerClient { get; set; } = 100;

    /// <summary>Jobs waiting or running in the queue, all clients together (503 with Retry-After beyond).</summary>
    [Range(1, 10_000_000)] public int MaxQueueLength { get; set; } = 10_000;

    /// <summary>New anonymous identities (cookies) issued to one source address per minute.</summary>
    [Range(1, 1_000_000)] public int NewIdentitiesPerMinutePerAddress { get; set; } = 30;

    /// <summary>Live progress streams one client may hold open at once, counted across all API replicas.</summary>
    [Range(1, 100_000)] public int MaxStreamsPerClient { get; set; } = 20;

    /// <summary>Live progress streams one source address may hold open at once on this process.</summary>
    [Range(1, 100_000)] public int MaxStreamsPerAddress { get; set; } = 100;

    /// <summary>Live progress streams this process holds open at once.</summary>
    [Range(1, 1_000_000)] public int MaxStreamsPerProcess { get; set; } = 5_000;

    /// <summary>A stream is closed with a <c>timeout</c> event after this long (the seed's 10 minutes).</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00")] public TimeSpan StreamTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>A <c>: ping</c> comment is sent when the stream was quiet this long.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00")] public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How often a stream re-reads the row, as a safety net against a lost Pub/Sub note.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00")] public TimeSpan DatabaseCheckInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often a stream whose job does not move asks why (its worker gone, the LLM server down).</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00")] public TimeSpan StallCheckInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Frames a watcher may fall behind its job's feed before it is let go (it resumes by Last-Event-ID): about
    /// ten seconds of a busy job (20 text and 4 progress events a second).
    /// </summary>
    [Range(8, 100_000)] public int WatcherBufferFrames { get; set; } = 256;

    /// <summary>Serve every stream by polling the row (the seed's design) even with Redis up: for comparisons only.</summary>
    public bool ForcePolling { get; set; }

    /// <summary>Poll interval of the seed's design, used only while Redis is unavailable.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00")] public TimeSpan FallbackPollInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Finished jobs (their prompt, text and row) are deleted this long after they ended.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "3650.00:00:00")]
    public TimeSpan RetainFinishedJobs { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How often one API replica looks for expired jobs.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "1.00:00:00")]
    public TimeSpan RetentionSweepInterval { get; set; } = TimeSpan.FromMinutes(10);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (ApiKeys.Any(k => string.IsNullOrWhiteSpace(k) || k.Trim().Length < MinApiKeyLength))
        {
            yield return new ValidationResult($"Every API key must be at least {MinApiKeyLength} characters.", [nameof(ApiKeys)]);
        }

        if (ApiKeySha256.Any(h => h.Length != 64 || !h.All(Uri.IsHexDigit)))
        {
            yield return new ValidationResult("Every API key hash must be 64 hex digits (SHA-256).", [nameof(ApiKeySha256)]);
        }

        if (KnownProxies.Any(p => !IPAddress.TryParse(p, out _)))
        {
            yield return new ValidationResult("Every known proxy must be an IP address.", [nameof(KnownProxies)]);
        }

        if (KnownNetworks.Any(n => !IPNetwork.TryParse(n, out _)))
        {
            yield return new ValidationResult("Every known network must be in CIDR form, such as 10.0.0.0/8.", [nameof(KnownNetworks)]);
        }
    }
}
