namespace AiProgress.AppHost.Hosting;

public static class ViteAppExtensions
{
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
}
