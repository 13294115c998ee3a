namespace AiProgress.LocalOllama.Api.Contracts;

internal sealed record TagsResponse(IReadOnlyList<ModelSummary> Models);

internal sealed record ModelSummary(string Name, string Model, DateTime ModifiedAt, long Size, string Digest, ModelDetails Details);

internal sealed record ModelDetails(string ParentModel, string Format, string Family, IReadOnlyList<string> Families, string ParameterSize, string QuantizationLevel);

internal sealed record ShowRequest
{
    public string? Model { get; init; }

    /// <summary>Older clients send "name" instead of "model".</summary>
    public string? Name { get; init; }
}

internal sealed record ShowResponse(
    string Modelfile,
    string Parameters,
    string Template,
    ModelDetails Details,
    IReadOnlyDictionary<string, object> ModelInfo,
    IReadOnlyList<string> Capabilities,
    DateTime ModifiedAt);

internal sealed record RunningModelsResponse(IReadOnlyList<RunningModel> Models);

internal sealed record RunningModel(string Name, string Model, long Size, string Digest, ModelDetails Details, DateTime ExpiresAt, long SizeVram);

internal sealed record VersionResponse(string Version);
