using System.Text;
using AiProgress.LocalOllama.Models;
using LLama;
using LLama.Common;
using LLama.Exceptions;
using LLama.Native;

namespace AiProgress.LocalOllama.Generation;

/// <summary>
/// One llama.cpp context over shared weights, stepped one token at a time. Not thread-safe: one
/// request owns it from prompt to disposal.
/// </summary>
internal sealed class LlamaSequence : IDisposable
{
    private const int MaxBatchSize = 512;

    private readonly LoadedModel _model;
    private readonly LLamaContext _context;
    private readonly SafeLLamaSamplerChainHandle _sampler;
    private readonly LLamaBatch _batch = new();
    private readonly StreamingTokenDecoder _decoder;
    private int _position;
    private int _logitsIndex;

    private LlamaSequence(LoadedModel model, int contextSize, int threads, SamplingSettings sampling)
    {
        _model = model;
        var parameters = new ModelParams(model.Path)
        {
            ContextSize = (uint)contextSize,
            BatchSize = (uint)Math.Min(MaxBatchSize, contextSize),
            UBatchSize = (uint)Math.Min(MaxBatchSize, contextSize),
        };
        if (threads > 0)
        {
            parameters.Threads = threads;
            parameters.BatchThreads = threads;
        }
        _context = model.Weights.CreateContext(parameters);
        _sampler = CreateSampler(sampling);
        // Decodes bytes across token boundaries, so a multi-byte character split over two tokens comes out whole.
        _decoder = new StreamingTokenDecoder(Encoding.UTF8, model.Weights);
    }

    public static LlamaSequence Open(LoadedModel model, int contextSize, int threads, SamplingSettings sampling) =>
        new(model, contextSize, threads, sampling);

    public int ContextSize => (int)_context.ContextSize;

    public bool IsFull => _position >= ContextSize;

    public LLamaToken[] Tokenize(string text, bool addBos) => _context.Tokenize(text, addBos, special: false);

    /// <summary>Runs the prompt through the model in batches; the logits of its last token are kept for sampling.</summary>
    public void EvaluatePrompt(IReadOnlyList<LLamaToken> tokens)
    {
        var batchSize = (int)_context.BatchSize;
        for (var start = 0; start < tokens.Count; start += batchSize)
        {
            _batch.Clear();
            var end = Math.Min(start + batchSize, tokens.Count);
            for (var i = start; i < end; i++)
            {
                _batch.Add(tokens[i], _position++, LLamaSeqId.Zero, logits: i == tokens.Count - 1);
            }
            Decode();
        }
        _logitsIndex = _batch.TokenCount - 1;
    }

    /// <summary>Samples the next token from the logits of the last evaluated one.</summary>
    public LLamaToken Sample() => _sampler.Sample(_context.NativeHandle, _logitsIndex);

    public bool IsEndOfGeneration(LLamaToken token) =>
        token.IsEndOfGeneration(_model.Weights.Vocab) || (_model.StopAtBos && token == _model.Weights.Vocab.BOS);

    /// <summary>The complete characters this token finishes (possibly none, mid-character).</summary>
    public string TextOf(LLamaToken token)
    {
        _decoder.Add(token);
        return _decoder.Read();
    }

    /// <summary>Feeds a sampled token back so the next one can be sampled.</summary>
    public void Evaluate(LLamaToken token)
    {
        _batch.Clear();
        _batch.Add(token, _position++, LLamaSeqId.Zero, logits: true);
        Decode();
        _logitsIndex = 0;
    }

    public void Dispose()
    {
        _sampler.Dispose();
        _context.Dispose();
    }

    private void Decode()
    {
        var result = _context.Decode(_batch);
        if (result != DecodeResult.Ok)
        {
            throw new LLamaDecodeError(result);
        }
    }

    private static SafeLLamaSamplerChainHandle CreateSampler(SamplingSettings sampling)
    {
        var chain = SafeLLamaSamplerChainHandle.Create(LLamaSamplerChainParams.Default());
        if (sampling.IsGreedy)
        {
            chain.AddGreedySampler();
            return chain;
        }
        if (sampling.TopK > 0)
        {
            chain.AddTopK(sampling.TopK);
        }
        if (sampling.TopP is > 0 and < 1)
        {
            chain.AddTopP(sampling.TopP, 1);
        }
        chain.AddTemperature(sampling.Temperature);
        chain.AddDistributionSampler(sampling.Seed);
        return chain;
    }
}
