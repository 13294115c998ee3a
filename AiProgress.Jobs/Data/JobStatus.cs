using System.Linq.Expressions;

namespace AiProgress.Jobs.Data;

/// <summary>The lifecycle of a job: queued → processing → completed | failed | cancelled.</summary>
public static class JobStatus
{
    public const string Queued = "queued";
    public const string Processing = "processing";
    public const string Completed = "completed";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";

    public static readonly string[] All = [Queued, Processing, Completed, Failed, Cancelled];

    public static bool IsTerminal(string status) => status is Completed or Failed or Cancelled;

    /// <summary>Queued or processing: a job that can still change (the SQL form of <see cref="IsTerminal"/>'s negation).</summary>
    public static readonly Expression<Func<GenerationJob, bool>> IsActive =
        job => job.Status == Queued || job.Status == Processing;
}
