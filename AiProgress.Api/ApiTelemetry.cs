using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace AiProgress.Api;

public static class ApiTelemetry
{
    public const string Name = "AiProgress.Api";
    public static readonly ActivitySource Source = new(Name);
    private static readonly Meter Meter = new(Name);

    public static readonly Counter<long> JobsCreated = Meter.CreateCounter<long>("aiprogress.jobs.created", "{job}", "Jobs accepted by the API.");
    public static readonly Counter<long> JobsCancelled = Meter.CreateCounter<long>("aiprogress.jobs.cancelled", "{job}", "Jobs cancelled through the API.");
    public static readonly UpDownCounter<long> LiveStreams = Meter.CreateUpDownCounter<long>("aiprogress.sse.connections", "{connection}", "Open progress streams.");
    public static readonly Counter<long> EventsSent = Meter.CreateCounter<long>("aiprogress.sse.events_sent", "{event}", "Events written to progress streams.");
    public static readonly Histogram<double> DeliveryLag = Meter.CreateHistogram<double>("aiprogress.sse.delivery_lag", "ms", "Time from an event's append in Redis to its write to a watcher.");
}
