using AiProgress.ServiceDefaults;

namespace AiProgress.LocalOllama.Models;

/// <summary>The models this server serves, filled once at start-up by <see cref="ModelLoader"/>.</summary>
internal sealed class ServedModels : IDisposable
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
        return _models.FirstOrDefault(m => ModelName.Same(m.Name, name));
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
