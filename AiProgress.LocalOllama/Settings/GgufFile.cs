namespace AiProgress.LocalOllama.Settings;

internal static class GgufFile
{
    private static ReadOnlySpan<byte> Magic => "GGUF"u8;

    /// <summary>Why the file cannot be served, or null when it starts like a GGUF file.</summary>
    /// <remarks>llama.cpp answers a wrong file with a crash or a vague error, so the magic is checked first.</remarks>
    public static string? Check(string path)
    {
        if (!File.Exists(path))
        {
            return $"the file '{path}' does not exist (current directory: '{Directory.GetCurrentDirectory()}').";
        }

        Span<byte> header = stackalloc byte[4];
        using var stream = File.OpenRead(path);
        if (stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false) < header.Length || !header.SequenceEqual(Magic))
        {
            return $"the file '{path}' is not a GGUF model (it does not start with the bytes 'GGUF').";
        }
        return null;
    }
}
