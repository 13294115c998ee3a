using AiProgress.Worker.Generation;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace AiProgress.Worker;

/// <summary>The worker's own traces and GenAI metrics (OllamaSharp has no OpenTelemetry support of its own).</summary>
public static class WorkerTelemetry
{
    public const string Name = "AiProgress.Worker";
    public static readonly ActivitySource Source = new(Name);
    private static readonly Meter Meter = new(Name);

    public static readonly Histogram<long> TokenUsage = Meter.CreateHistogram<long>(
        "gen_ai.client.token.usage", "{token}", "Tokens used per generation, by gen_ai.token.type (input/output).");
    public static readonly Histogram<double> OperationDuration = Meter.CreateHistogram<double>(
        "gen_ai.client.operation.duration", "s", "Duration of a whole generation.");
    public static readonly Histogram<double> TimeToFirstToken = Meter.CreateHistogram<double>(
        "gen_ai.server.time_to_first_token", "s", "Time from the request to Ollama until its first token.");
    public static readonly Histogram<double> TimePerOutputToken = Meter.CreateHistogram<double>(
        "gen_ai.server.time_per_output_token", "s", "Mean time per output token after the first.");
    public static readonly Counter<long> JobsEnded = Meter.CreateCounter<long>(
        "aiprogress.jobs.ended", "{job}", "Jobs that reached a terminal state in this worker, by outcome.");
    public static readonly Histogram<double> QueueWait = Meter.CreateHistogram<double>(
        "aiprogress.queue.wait", "s", "Time a job waited in the queue before a worker took it up.");
    public static readonly UpDownCounter<long> JobsInFlight = Meter.CreateUpDownCounter<long>(
        "aiprogress.jobs.in_flight", "{job}", "Jobs this worker is generating now.");
    public static readonly Counter<long> ProgressWrites = Meter.CreateCounter<long>(
        "aiprogress.db.progress_writes", "{row}", "Progress rows written to MySQL.");
    private static long _queueLength;

    /// <summary>Entries in the queue stream (waiting and in progress), as last read by this worker.</summary>
    public static readonly ObservableGauge<long> QueueLength = Meter.CreateObservableGauge(
        "aiprogress.queue.length", () => Interlocked.Read(ref _queueLength), "{job}", "Jobs in the Redis queue stream.");

    public static void ReportQueueLength(long length) => Interlocked.Exchange(ref _queueLength, length);

    /// <summary>Counts a job's end and marks it on the job's span (the current activity of its run).</summary>
    public static void CountEnded(string outcome, string model)
    {
        JobsEnded.Add(1, new KeyValuePair<string, object?>("outcome", outcome), new KeyValuePair<string, object?>("gen_ai.request.model", model));
        Activity.Current?.SetTag("aiprogress.job.outcome", outcome);
        Activity.Current?.AddEvent(new ActivityEvent($"job {outcome}"));
    }

    public static readonly Counter<long> LlmOutages = Meter.CreateCounter<long>(
        "aiprogress.llm.outages", description: "Times the LLM server was found down (the circuit opened).");

    public static readonly Counter<long> JobsTakenOver = Meter.CreateCounter<long>(
        "aiprogress.jobs.taken_over", description: "Jobs claimed from a worker that died or stalled.");

    public static readonly Counter<long> EventsPublished = Meter.CreateCounter<long>(
        "aiprogress.events.published", "{event}", "Live events appended to the jobs' Redis streams.");

    /// <summary>One finished Ollama call: token usage by type, its duration and the time per output token.</summary>
    public static void RecordGeneration(string model, GenerationOutcome outcome, TimeSpan duration)
    {
        TagList tags = new()
        {
            { "gen_ai.operation.name", "chat" },
            { "gen_ai.provider.name", "ollama" },
            { "gen_ai.request.model", model },
        };
        var input = tags;
        input.Add("gen_ai.token.type", "input");
        var output = tags;
        output.Add("gen_ai.token.type", "output");
        TokenUsage.Record(outcome.PromptEvalCount, input);
        TokenUsage.Record(outcome.EvalCount, output);
        OperationDuration.Record(duration.TotalSeconds, tags);
        if (outcome.EvalCount > 1)
        {
            TimePerOutputToken.Record(outcome.EvalDuration.TotalSeconds / outcome.EvalCount, tags);
        }
    }
}
