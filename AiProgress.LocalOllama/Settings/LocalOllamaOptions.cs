using System.ComponentModel.DataAnnotations;

namespace AiProgress.LocalOllama.Settings;

/// <summary>Settings of the local Ollama stand-in, bound from the "LocalOllama" section.</summary>
public sealed class LocalOllamaOptions
{
    public const string SectionName = "LocalOllama";

    /// <summary>GGUF files to serve. When empty, <see cref="DefaultModelPath"/> is served.</summary>
    public List<ModelEntry> Models { get; set; } = [];

    /// <summary>Sequences generated at once, like OLLAMA_NUM_PARALLEL.</summary>
    [Range(1, 64)]
    public int NumParallel { get; set; } = 2;

    /// <summary>Requests allowed to wait for a free sequence, like OLLAMA_MAX_QUEUE; beyond it the answer is 503.</summary>
    [Range(0, 10_000)]
    public int MaxQueue { get; set; } = 64;

    /// <summary>Context size of a sequence when the request does not set options.num_ctx.</summary>
    [Range(64, 131_072)]
    public int ContextSize { get; set; } = 2048;

    /// <summary>
    /// Threads llama.cpp uses for one sequence; 0 lets LLamaSharp choose.
    /// Tiny models run fastest on one thread, since thread hand-offs cost more than the maths.
    /// </summary>
    [Range(0, 256)]
    public int ThreadsPerSequence { get; set; } = 1;

    /// <summary>
    /// Ceiling on tokens per second for each sequence; 0 (the default) means no ceiling.
    /// A tiny model writes about 1,000 tokens a second, far too fast to watch in a demo, so a demo
    /// may slow it down here. Keep it off for benchmarks and anything that measures speed.
    /// </summary>
    [Range(0, 1_000_000)]
    public double MaxTokensPerSecond { get; set; }

    public const string DefaultModelPath = "../shared/models/stories260K.gguf";

    /// <summary>The configured models, or the default one, with paths made absolute.</summary>
    public IReadOnlyList<ModelEntry> ResolvedModels()
    {
        var entries = Models.Count > 0
            ? Models
            : [new ModelEntry { Path = DefaultModelPath }];
        return entries
            .Select(entry => new ModelEntry
            {
                Name = string.IsNullOrWhiteSpace(entry.Name) ? System.IO.Path.GetFileNameWithoutExtension(entry.Path) : entry.Name,
                Path = System.IO.Path.GetFullPath(entry.Path, Directory.GetCurrentDirectory()),
                StopAtBos = entry.StopAtBos,
            })
            .ToList();
    }
}

public sealed class ModelEntry
{
    /// <summary>Name clients ask for; defaults to the file name without extension.</summary>
    public string Name { get; set; } = "";

    /// <summary>Path of the GGUF file, relative to the current directory or absolute.</summary>
    [Required]
    public string Path { get; set; } = "";

    /// <summary>
    /// A generated beginning-of-sequence token ends the generation (done_reason "stop"), and is not part of the text.
    /// llama2.c-style models (the shared TinyStories one) separate stories with BOS and never emit an end token,
    /// so without this they write story after story until the limit. On by default; off for models that use BOS otherwise.
    /// </summary>
    public bool StopAtBos { get; set; } = true;
}
