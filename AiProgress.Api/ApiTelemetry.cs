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
    public static readonly UpDownCounter<long> Feeds = Meter.CreateUpDownCounter<long>("aiprogress.sse.feeds", "{job}", "Jobs whose events this process reads for its watchers (one reader per job).");
    public static readonly Counter<long> SlowWatchersClosed = Meter.CreateCounter<long>("aiprogress.sse.slow_watchers_closed", "{connection}", "Streams closed because their watcher fell a whole buffer behind.");
    public static readonly Counter<long> FeedGapReads = Meter.CreateCounter<long>("aiprogress.sse.feed_gap_reads", "{read}", "Stream reads after a missed or unreadable Pub/Sub note.");
    public static readonly Histogram<double> DeliveryLag = Meter.CreateHistogram<double>("aiprogress.sse.delivery_lag", "ms", "Time from an event's append in Redis to its write to a watcher.");
}
