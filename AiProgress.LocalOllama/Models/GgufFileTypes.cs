namespace AiProgress.LocalOllama.Models;

/// <summary>Names of the values of GGUF's general.file_type (llama.cpp's llama_ftype).</summary>
internal static class GgufFileTypes
{
    /// <summary>Set by llama.cpp when the file lacks general.file_type and the type was inferred from the tensors.</summary>
    public const int GuessedFlag = 1024;

    public static string Name(int fileType) => fileType switch
    {
        0 => "F32",
        1 => "F16",
        2 => "Q4_0",
        3 => "Q4_1",
        7 => "Q8_0",
        8 => "Q5_0",
        9 => "Q5_1",
        10 => "Q2_K",
        11 => "Q3_K_S",
        12 => "Q3_K_M",
        13 => "Q3_K_L",
        14 => "Q4_K_S",
        15 => "Q4_K_M",
        16 => "Q5_K_S",
        17 => "Q5_K_M",
        18 => "Q6_K",
        32 => "BF16",
        _ => $"type {fileType}",
    };
}
