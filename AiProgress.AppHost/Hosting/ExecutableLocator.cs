namespace AiProgress.AppHost.Hosting;

/// <summary>Finds server binaries, which Debian puts in sbin folders that a normal PATH may lack.</summary>
internal static class ExecutableLocator
{
    public static string Find(string name)
    {
        var folders = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/sbin", "/usr/local/sbin", "/sbin", "/usr/bin"]);
        return folders.Select(folder => Path.Combine(folder, name)).FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException(
                $"'{name}' was not found. Local mode needs redis-server and mariadb-server: run ./start.sh, which installs them.");
    }
}
