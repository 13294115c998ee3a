using System.Diagnostics;

namespace AiProgress.LocalOllama.Telemetry;

/// <summary>Names under which this service publishes traces and metrics (ServiceDefaults collects "AiProgress.*").</summary>
public static class LocalOllamaTelemetry
{
    public const string Name = "AiProgress.LocalOllama";

    internal static readonly ActivitySource ActivitySource = new(Name);
}
