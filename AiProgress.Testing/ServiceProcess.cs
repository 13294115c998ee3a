namespace AiProgress.Testing;

/// <summary>
/// The real worker and API as processes of their own, so a test can kill them the hard way (SIGKILL) mid-job
/// or run them in another time zone than the test process, and a benchmark can measure each one's CPU and memory.
/// </summary>
public static class ServiceProcess
{
    public static ServerProcess StartWorker(IDictionary<string, string?> settings, IReadOnlyDictionary<string, string>? environment = null) =>
        StartWorker(settings, out _, environment);

    /// <summary>The worker on a free port; <paramref name="url"/> answers /alive once it runs.</summary>
    public static ServerProcess StartWorker(IDictionary<string, string?> settings, out Uri url, IReadOnlyDictionary<string, string>? environment = null)
    {
        var port = FreePort.Next();
        url = new Uri($"http://127.0.0.1:{port}");
        return Start("AiProgress.Worker", port, settings, environment);
    }

    /// <summary>The LLamaSharp Ollama server on <paramref name="port"/> (the same port again after a restart).</summary>
    public static ServerProcess StartLocalOllama(IDictionary<string, string?> settings, int port) =>
        Start("AiProgress.LocalOllama", port, settings, null);

    /// <summary>The API on a free port; wait for <paramref name="url"/> to answer before using it.</summary>
    public static ServerProcess StartApi(IDictionary<string, string?> settings, out Uri url, IReadOnlyDictionary<string, string>? environment = null)
    {
        var port = FreePort.Next();
        url = new Uri($"http://127.0.0.1:{port}");
        // Like ApiServer: over plain HTTP only Development issues a cookie a client sends back (elsewhere it is Secure);
        // a caller with an API key may say otherwise.
        var withEnvironment = new Dictionary<string, string?>(settings);
        withEnvironment.TryAdd("environment", "Development");
        return Start("AiProgress.Api", port, withEnvironment, environment);
    }

    private static ServerProcess Start(string project, int port, IDictionary<string, string?> settings, IReadOnlyDictionary<string, string>? environment)
    {
        var assembly = RepositoryPaths.ProjectOutput(project, project + ".dll");
        if (!File.Exists(assembly))
        {
            // The test project references the services, so their output sits beside ours as well.
            assembly = Path.Combine(AppContext.BaseDirectory, project + ".dll");
        }

        IEnumerable<string> arguments = [assembly, "--urls", $"http://127.0.0.1:{port}", .. settings.Select(s => $"--{s.Key}={s.Value}")];
        return ServerProcess.Start("dotnet", arguments, environment);
    }
}
