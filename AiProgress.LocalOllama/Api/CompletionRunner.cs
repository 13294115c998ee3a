using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text;
using AiProgress.LocalOllama.Api.Contracts;
using AiProgress.LocalOllama.Generation;
using AiProgress.LocalOllama.Models;
using AiProgress.LocalOllama.Settings;
using Microsoft.Extensions.Options;

namespace AiProgress.LocalOllama.Api;

/// <summary>What /api/generate and /api/chat share: options, the queue, streaming or one answer.</summary>
internal sealed class CompletionRunner(
    SequenceSlots slots,
    GenerationEngine engine,
    IOptions<LocalOllamaOptions> options,
    ILogger<CompletionRunner> logger)
{
    private const int MaxContextSize = 131_072;

    public GenerationRequest CreateRequest(LoadedModel model, string prompt, ModelOptions? modelOptions, string operation, IReadOnlyList<int>? previousContext = null)
    {
        var seed = modelOptions?.Seed is >= 0 and <= uint.MaxValue ? (uint)modelOptions.Seed.Value : (uint)Random.Shared.NextInt64(0, uint.MaxValue);
        return new GenerationRequest
        {
            Model = model,
            Prompt = prompt,
            PreviousContext = previousContext ?? [],
            Sampling = new SamplingSettings(
                modelOptions?.Temperature ?? SamplingSettings.DefaultTemperature,
                modelOptions?.TopK ?? SamplingSettings.DefaultTopK,
                modelOptions?.TopP ?? SamplingSettings.DefaultTopP,
                seed),
            MaxTokens = modelOptions?.NumPredict is > 0 ? modelOptions.NumPredict : null,
            Stop = modelOptions?.Stop ?? [],
            ContextSize = modelOptions?.NumCtx is > 0 ? Math.Clamp(modelOptions.NumCtx.Value, 64, MaxContextSize) : options.Value.ContextSize,
            Operation = operation,
            ReceivedAt = Stopwatch.GetTimestamp(),
        };
    }

    /// <summary>Waits for a sequence (or answers 503), then streams NDJSON lines or returns one JSON object.</summary>
    public async Task<IResult> RunAsync(GenerationRequest request, bool stream, ICompletionShape shape, CancellationToken cancellationToken)
    {
        var lease = await slots.AcquireAsync(cancellationToken);
        if (lease is null)
        {
            return OllamaResults.Busy();
        }

        if (stream)
        {
            return new NdjsonResult(StreamLinesAsync(request, shape, lease, CancellationToken.None), logger);
        }

        using (lease)
        {
            var text = new StringBuilder();
            await foreach (var update in engine.RunAsync(request, cancellationToken))
            {
                if (update.Summary is { } summary)
                {
                    return TypedResults.Json(shape.Final(summary, text.ToString()), OllamaJsonContext.Wire.CompletionLine);
                }
                text.Append(update.Text);
            }
        }
        throw new InvalidOperationException("Generation ended without a summary.");
    }

    private async IAsyncEnumerable<CompletionLine> StreamLinesAsync(GenerationRequest request, ICompletionShape shape, IDisposable lease,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using (lease)
        {
            await foreach (var update in engine.RunAsync(request, cancellationToken))
            {
                yield return update.Summary is { } summary ? shape.Final(summary, "") : shape.Piece(update.Text ?? "");
            }
        }
    }
}

/// <summary>How a completion's lines look: /api/generate puts text in "response", /api/chat in "message".</summary>
internal interface ICompletionShape
{
    CompletionLine Piece(string text);

    CompletionLine Final(GenerationSummary summary, string wholeText);
}
