using AiProgress.LocalOllama.Settings;

namespace AiProgress.LocalOllama.Models;

/// <summary>The models this server serves, filled once at start-up by <see cref="ModelLoader"/>.</summary>
internal sealed class ModelCatalog : IDisposable
{
    private volatile IReadOnlyList<LoadedModel> _models = [];

    public bool IsLoaded { get; private set; }

    public IReadOnlyList<LoadedModel> All => _models;

    public void Publish(IReadOnlyList<LoadedModel> models)
    {
        _models = models;
        IsLoaded = true;
    }

    public LoadedModel? Find(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return null;
        }
        var wanted = ModelNames.Normalize(name);
        return _models.FirstOrDefault(m => string.Equals(ModelNames.Normalize(m.Name), wanted, StringComparison.OrdinalIgnoreCase));
    }

    public void Dispose()
    {
        foreach (var model in _models)
        {
            model.Dispose();
        }
        _models = [];
        IsLoaded = false;
    }
}
