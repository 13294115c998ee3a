namespace AiProgress.Tests.Infrastructure;

/// <summary>The real worker as its own process, so a test can kill it the hard way (SIGKILL) mid-job.</summary>
public static class WorkerProcess
{
    public static ServerProcess Start(IDictionary<string, string?> settings)
    {
        var assembly = RepositoryPaths.ProjectOutput("AiProgress.Worker", "AiProgress.Worker.dll");
        if (!File.Exists(assembly))
        {
            // The test project references the worker, so its output sits beside ours as well.
            assembly = Path.Combine(AppContext.BaseDirectory, "AiProgress.Worker.dll");
        }

        IEnumerable<string> arguments = [assembly, "--urls", $"http://127.0.0.1:{FreePort.Next()}",
            .. settings.Select(s => $"--{s.Key}={s.Value}")];
        return ServerProcess.Start("dotnet", arguments);
    }
}
