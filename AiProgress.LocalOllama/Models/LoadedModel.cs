using System.Globalization;
using System.Security.Cryptography;
using LLama;

namespace AiProgress.LocalOllama.Models;

/// <summary>A GGUF file whose weights are in memory, shared by every sequence that uses it.</summary>
internal sealed class LoadedModel(string name, string path, LLamaWeights weights, bool stopAtBos = true) : IDisposable
{
    private readonly Lazy<string> _digest = new(() => Sha256Of(path));

    public string Name { get; } = name;
    public string Path { get; } = path;
    public LLamaWeights Weights { get; } = weights;
    /// <summary>A generated BOS ends the generation (see <see cref="Settings.ModelEntry.StopAtBos"/>).</summary>
    public bool StopAtBos { get; } = stopAtBos;
    public long FileSize { get; } = new FileInfo(path).Length;
    public DateTime ModifiedAt { get; } = File.GetLastWriteTimeUtc(path);
    public DateTime LoadedAt { get; } = DateTime.UtcNow;

    /// <summary>sha256 of the file, computed on first use so that start-up does not read a large file twice.</summary>
    public string Digest => _digest.Value;

    public string Family => Metadata("general.architecture") ?? "llama";

    public string ParameterSize => FormatParameterCount(Weights.ParameterCount);

    /// <summary>From llama.cpp, which infers the type from the tensors when general.file_type is absent.</summary>
    public string QuantizationLevel => GgufFileTypes.Name((int)Weights.NativeHandle.FileType & ~GgufFileTypes.GuessedFlag);

    public string? Metadata(string key) => Weights.Metadata.TryGetValue(key, out var value) ? value : null;

    public void Dispose() => Weights.Dispose();

    private static string Sha256Of(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>Ollama's style: "8.0B", "137M", "292.80K".</summary>
    private static string FormatParameterCount(ulong count) => count switch
    {
        >= 1_000_000_000 => (count / 1e9).ToString("0.0", CultureInfo.InvariantCulture) + "B",
        >= 1_000_000 => (count / 1e6).ToString("0.##", CultureInfo.InvariantCulture) + "M",
        >= 1_000 => (count / 1e3).ToString("0.##", CultureInfo.InvariantCulture) + "K",
        _ => count.ToString(CultureInfo.InvariantCulture),
    };
}
