using Microsoft.Extensions.Options;

namespace AiProgress.LocalOllama.Settings;

/// <summary>Fails start-up with a clear message when a model file is missing or is not GGUF.</summary>
internal sealed class LocalOllamaOptionsValidator : IValidateOptions<LocalOllamaOptions>
{
    public ValidateOptionsResult Validate(string? name, LocalOllamaOptions options)
    {
        var failures = options.Models
            .Where(m => string.IsNullOrWhiteSpace(m.Path))
            .Select(m => $"LocalOllama: the model '{m.Name}' has no Path.")
            .ToList();
        if (failures.Count > 0)
        {
            return ValidateOptionsResult.Fail(failures);
        }

        var models = options.ResolvedModels();
        foreach (var model in models)
        {
            if (string.IsNullOrWhiteSpace(model.Name))
            {
                failures.Add($"LocalOllama: the model at '{model.Path}' has no name.");
            }
            if (GgufFile.Check(model.Path) is { } problem)
            {
                failures.Add($"LocalOllama: model '{model.Name}': {problem}");
            }
        }

        var duplicates = models.GroupBy(m => AiProgress.ServiceDefaults.ModelName.Canonical(m.Name), StringComparer.OrdinalIgnoreCase)
            .Where(g => g.Count() > 1)
            .Select(g => g.Key);
        failures.AddRange(duplicates.Select(d => $"LocalOllama: the model name '{d}' is configured more than once."));

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
