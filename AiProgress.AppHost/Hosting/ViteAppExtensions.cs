namespace AiProgress.AppHost.Hosting;

public static class ViteAppExtensions
{
    private static readonly string[] BrowserOtlpVariables =
        ["OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_HEADERS", "OTEL_SERVICE_NAME", "OTEL_RESOURCE_ATTRIBUTES"];

    /// <summary>
    /// A Vite dev server as an executable: node runs Vite's own script (npm run dev would leave node orphaned
    /// on stop). Vite reads its port from PORT and proxies /api to the referenced API.
    /// </summary>
    public static IResourceBuilder<ExecutableResource> AddViteApp(
        this IDistributedApplicationBuilder builder, string name, string appDirectory, int? port)
    {
        var directory = Path.GetFullPath(Path.Combine(builder.AppHostDirectory, appDirectory));
        return builder.AddExecutable(name, "node", directory, "node_modules/vite/bin/vite.js")
            .WithHttpEndpoint(port: port, env: "PORT", name: "http")
            .WithExternalHttpEndpoints()
            .WithHttpHealthCheck("/");
    }

    /// <summary>
    /// Lets the page itself send traces and metrics to the dashboard, as Aspire documents for browser apps: over
    /// OTLP/HTTP (browsers cannot speak gRPC), only when the dashboard has an OTLP HTTP endpoint
    /// (<c>ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL</c>), and as <c>VITE_OTEL_*</c> variables, which Vite hands to
    /// the page. The dashboard allows the web resource's origin by CORS itself (origins come from resource endpoints).
    /// </summary>
    public static IResourceBuilder<ExecutableResource> WithBrowserTelemetry(this IResourceBuilder<ExecutableResource> web) =>
        web.WithOtlpExporterIfEndpointAvailable(OtlpProtocol.HttpProtobuf)
            .WithEnvironment(context =>
            {
                foreach (var name in BrowserOtlpVariables)
                {
                    if (context.EnvironmentVariables.TryGetValue(name, out var value))
                    {
                        context.EnvironmentVariables[$"VITE_{name}"] = value;
                    }
                }
            });
}
