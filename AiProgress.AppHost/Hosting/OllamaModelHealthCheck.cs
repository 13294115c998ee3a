using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AiProgress.AppHost.Hosting;

/// <summary>Healthy when Ollama lists the model: a started container is not yet one that can generate.</summary>
internal sealed class OllamaModelHealthCheck(EndpointReference endpoint, string model) : IHealthCheck
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            using var tags = JsonDocument.Parse(await Http.GetStringAsync($"{endpoint.Url}/api/tags", cancellationToken));
            var names = tags.RootElement.GetProperty("models").EnumerateArray()
                .Select(m => m.GetProperty("name").GetString() ?? "");
            return names.Any(n => AiProgress.ServiceDefaults.ModelName.Same(n, model))
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy($"Model '{model}' is still being pulled.");
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException or KeyNotFoundException)
        {
            return HealthCheckResult.Unhealthy("Ollama is not answering yet.", ex);
        }
    }
}
