using System.Diagnostics;

namespace AiProgress.AppHost.Hosting;

public enum HostingMode
{
    /// <summary>Redis, MySQL and Ollama as container images: needs a working container runtime.</summary>
    Containers,

    /// <summary>redis-server, mariadbd and the LLamaSharp Ollama stand-in as local processes.</summary>
    Local,
}

public static class HostingModeExtensions
{
    /// <summary>
    /// <c>AppHost:Mode</c> = containers | local | auto (default). Auto asks the container runtime itself: a container
    /// resource with no daemon never becomes healthy, so the choice has to be made before any resource is added.
    /// </summary>
    public static HostingMode ResolveHostingMode(this IDistributedApplicationBuilder builder)
    {
        var configured = builder.Configuration["AppHost:Mode"] ?? "auto";
        var (mode, reason) = configured.ToLowerInvariant() switch
        {
            "containers" => (HostingMode.Containers, "set by AppHost:Mode"),
            "local" => (HostingMode.Local, "set by AppHost:Mode"),
            "auto" => DetectContainerRuntime(builder.Configuration["ASPIRE_CONTAINER_RUNTIME"] ?? "docker"),
            _ => throw new InvalidOperationException($"AppHost:Mode must be containers, local or auto, not '{configured}'."),
        };

        Console.WriteLine($"AiProgress AppHost: hosting mode '{mode.ToString().ToLowerInvariant()}' ({reason}).");
        return mode;
    }

    private static (HostingMode, string) DetectContainerRuntime(string runtime)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(runtime, "info --format {{.ServerVersion}}")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            })!;
            if (process.WaitForExit(TimeSpan.FromSeconds(5)) && process.ExitCode == 0)
            {
                return (HostingMode.Containers, $"'{runtime} info' found a running container engine");
            }

            process.Kill(entireProcessTree: true);
            return (HostingMode.Local, $"'{runtime} info' found no running container engine");
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return (HostingMode.Local, $"no '{runtime}' command");
        }
    }
}
