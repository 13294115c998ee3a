using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using AiProgress.Tests.Infrastructure;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace AiProgress.Tests.Observability;

public sealed record Measurement(string Instrument, double Value, IReadOnlyDictionary<string, object?> Tags);

/// <summary>
/// The pipeline with an in-memory OpenTelemetry exporter and a meter listener in the test process, where the
/// API and the worker run too. Its model has a name no other fixture uses, so metrics can be told apart.
/// </summary>
public sealed class ObservedFixture : PipelineFixture
{
    public const string Model = "observed-model";
    private TracerProvider? _tracing;
    private MeterListener? _meters;

    private SpanLog Spans { get; } = [];
    public ConcurrentQueue<Measurement> Measurements { get; } = new();

    protected override string ScriptedModel => Model;

    public override async Task InitializeAsync()
    {
        _tracing = Sdk.CreateTracerProviderBuilder()
            .AddSource("AiProgress.*", "Microsoft.AspNetCore")
            .AddInMemoryExporter(Spans)
            .Build();
        _meters = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name.StartsWith("AiProgress.", StringComparison.Ordinal)) listener.EnableMeasurementEvents(instrument);
            },
        };
        _meters.SetMeasurementEventCallback<long>((i, value, tags, _) => Record(i, value, tags));
        _meters.SetMeasurementEventCallback<double>((i, value, tags, _) => Record(i, value, tags));
        _meters.Start();
        await base.InitializeAsync();
    }

    public IReadOnlyList<Activity> SpansSnapshot() => Spans.Snapshot();

    /// <summary>The exporter adds from whichever thread ends a span, while a test may be copying: both under one lock.</summary>
    private sealed class SpanLog : System.Collections.ObjectModel.Collection<Activity>
    {
        protected override void InsertItem(int index, Activity item)
        {
            lock (this) base.InsertItem(index, item);
        }

        public Activity[] Snapshot()
        {
            lock (this) return [.. this];
        }
    }

    public IEnumerable<Measurement> ForModel(string instrument) => Measurements
        .Where(m => m.Instrument == instrument && Equals(m.Tags.GetValueOrDefault("gen_ai.request.model"), Model));

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags) =>
        Measurements.Enqueue(new Measurement(instrument.Name, value, tags.ToArray().ToDictionary(t => t.Key, t => t.Value)));

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _meters?.Dispose();
        _tracing?.Dispose();
    }
}
