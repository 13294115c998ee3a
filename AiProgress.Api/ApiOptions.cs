using System.ComponentModel.DataAnnotations;

namespace AiProgress.Api;

public sealed class ApiOptions
{
    public const string SectionName = "Api";

    /// <summary>The model used when a request names none.</summary>
    [Required] public string DefaultModel { get; set; } = "stories260K";

    /// <summary>Keys accepted as <c>Authorization: Bearer</c> for scripts; each key is its own client.</summary>
    public List<string> ApiKeys { get; set; } = [];

    /// <summary>The one browser origin allowed by CORS (the web UI).</summary>
    public string? WebOrigin { get; set; }

    /// <summary>Jobs one client may create per minute.</summary>
    [Range(1, 100_000)] public int CreatePerMinute { get; set; } = 60;

    /// <summary>Live progress streams one client may hold open at once.</summary>
    [Range(1, 10_000)] public int MaxStreamsPerClient { get; set; } = 20;

    /// <summary>A stream is closed with a <c>timeout</c> event after this long (the seed's 10 minutes).</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00")] public TimeSpan StreamTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>A <c>: ping</c> comment is sent when the stream was quiet this long.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00")] public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How often a stream re-reads the row, as a safety net against a lost Pub/Sub note.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00")] public TimeSpan DatabaseCheckInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often a stream whose job does not move asks why (its worker gone, the LLM server down).</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00")] public TimeSpan StallCheckInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Poll interval of the seed's design, used only while Redis is unavailable.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00")] public TimeSpan FallbackPollInterval { get; set; } = TimeSpan.FromMilliseconds(200);
}
