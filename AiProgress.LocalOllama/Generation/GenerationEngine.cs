using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using AiProgress.LocalOllama.Settings;
using AiProgress.LocalOllama.Telemetry;
using LLama.Native;
using Microsoft.Extensions.Options;

namespace AiProgress.LocalOllama.Generation;

/// <summary>
/// Runs a completion on a thread of its own and hands its text to the request as it comes. The
/// decode loop is CPU-bound native code that never yields; on the thread pool, a few such loops
/// would starve request handling until the pool grew (first tokens took ~450 ms with 4 streams).
/// Ending the enumeration early, or cancelling, stops the loop and frees the llama.cpp context
/// before the enumeration returns.
/// </summary>
internal sealed class GenerationEngine(GenerationStats stats, IOptions<LocalOllamaOptions> options, ILogger<GenerationEngine> logger)
{
    public async IAsyncEnumerable<GenerationUpdate> RunAsync(GenerationRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // Unbounded is safe: a sequence cannot outgrow its context, a few thousand short strings at most.
        var channel = Channel.CreateUnbounded<GenerationUpdate>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var producer = Task.Factory.StartNew(() => Produce(request, channel.Writer, stop.Token),
            CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        try
        {
            await foreach (var update in channel.Reader.ReadAllAsync(cancellationToken))
            {
                yield return update;
            }
        }
        finally
        {
            await stop.CancelAsync();
            await producer;
        }
    }

    /// <summary>Never throws: failures travel to the reader through the channel.</summary>
    private void Produce(GenerationRequest request, ChannelWriter<GenerationUpdate> writer, CancellationToken cancellationToken)
    {
        var modelName = request.Model.Name;
        using var activity = LocalOllamaTelemetry.ActivitySource.StartActivity($"{request.Operation} {modelName}");
        activity?.SetTag("gen_ai.operation.name", request.Operation == "chat" ? "chat" : "text_completion");
        activity?.SetTag("gen_ai.system", "llama.cpp");
        activity?.SetTag("gen_ai.request.model", modelName);
        activity?.SetTag("gen_ai.request.temperature", request.Sampling.Temperature);
        if (request.MaxTokens is { } maxTokens)
        {
            activity?.SetTag("gen_ai.request.max_tokens", maxTokens);
        }

        stats.SequenceStarted(modelName);
        try
        {
            var summary = Generate(request, writer, activity, cancellationToken);
            activity?.SetTag("gen_ai.usage.input_tokens", summary.PromptEvalCount);
            activity?.SetTag("gen_ai.usage.output_tokens", summary.EvalCount);
            activity?.SetTag("gen_ai.response.finish_reasons", new[] { summary.DoneReason == DoneReason.Length ? "length" : "stop" });
            activity?.AddEvent(new ActivityEvent("gen_ai.generation.end"));
            writer.TryWrite(new GenerationUpdate(null, summary));
            writer.TryComplete();
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            activity?.AddEvent(new ActivityEvent("gen_ai.generation.cancelled"));
            activity?.SetStatus(ActivityStatusCode.Error, "cancelled by the client");
            writer.TryComplete();
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Generation with {ModelName} failed", modelName);
            activity?.AddException(ex);
            activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
            writer.TryComplete(ex);
        }
        finally
        {
            stats.SequenceEnded(modelName);
        }
    }

    private GenerationSummary Generate(GenerationRequest request, ChannelWriter<GenerationUpdate> writer, Activity? activity, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var loadStarted = Stopwatch.GetTimestamp();
        using var sequence = LlamaSequence.Open(request.Model, request.ContextSize, settings.ThreadsPerSequence, request.Sampling);
        var loadDuration = Stopwatch.GetElapsedTime(loadStarted);
        cancellationToken.ThrowIfCancellationRequested();

        var promptStarted = Stopwatch.GetTimestamp();
        var promptTokens = PromptTokens(request, sequence);
        sequence.EvaluatePrompt(promptTokens);
        var promptDuration = Stopwatch.GetElapsedTime(promptStarted);

        var generated = new List<LLamaToken>();
        var stops = new StopSequenceFilter(request.Stop);
        var pacing = new TokenPacing(settings.MaxTokensPerSecond);
        var doneReason = DoneReason.Stop;
        var evalStarted = Stopwatch.GetTimestamp();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var token = sequence.Sample();
            if (sequence.IsEndOfGeneration(token))
            {
                break;
            }

            generated.Add(token);
            stats.TokenGenerated(request.Model.Name);
            if (generated.Count == 1)
            {
                stats.FirstToken(request.Model.Name, Stopwatch.GetElapsedTime(request.ReceivedAt));
                activity?.AddEvent(new ActivityEvent("gen_ai.first_token"));
            }

            var text = stops.Push(sequence.TextOf(token));
            if (text.Length > 0)
            {
                writer.TryWrite(new GenerationUpdate(text, null));
            }
            if (stops.Stopped)
            {
                break;
            }
            if (generated.Count == request.MaxTokens || sequence.IsFull)
            {
                doneReason = DoneReason.Length;
                break;
            }

            pacing.WaitForNext(cancellationToken);
            sequence.Evaluate(token);
        }
        var evalDuration = Stopwatch.GetElapsedTime(evalStarted);

        var rest = stops.Flush();
        if (rest.Length > 0)
        {
            writer.TryWrite(new GenerationUpdate(rest, null));
        }

        return new GenerationSummary
        {
            DoneReason = doneReason,
            PromptEvalCount = promptTokens.Count,
            PromptEvalDuration = promptDuration,
            EvalCount = generated.Count,
            EvalDuration = evalDuration,
            LoadDuration = loadDuration,
            TotalDuration = Stopwatch.GetElapsedTime(request.ReceivedAt),
            Context = [.. promptTokens.Select(t => (int)t), .. generated.Select(t => (int)t)],
        };
    }

    private static List<LLamaToken> PromptTokens(GenerationRequest request, LlamaSequence sequence)
    {
        var tokens = new List<LLamaToken>(request.PreviousContext.Select(id => (LLamaToken)id));
        tokens.AddRange(sequence.Tokenize(request.Prompt, addBos: tokens.Count == 0));

        // Like Ollama, keep the start and the most recent half of an over-long prompt rather than fail.
        var room = sequence.ContextSize - 1;
        if (tokens.Count > room)
        {
            var keepTail = sequence.ContextSize / 2;
            tokens = [tokens[0], .. tokens.Skip(tokens.Count - keepTail)];
        }
        return tokens;
    }
}
