using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AiProgress.LocalOllama.Models;

/// <summary>Readiness: unhealthy until every configured model is in memory.</summary>
internal sealed class ModelsLoadedHealthCheck(ServedModels catalog) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(catalog.IsLoaded
            ? HealthCheckResult.Healthy($"{catalog.All.Count} model(s) loaded: {string.Join(", ", catalog.All.Select(m => m.Name))}")
            : HealthCheckResult.Unhealthy("Models are still loading."));
}
