using System.Diagnostics;

namespace AiProgress.Testing;

/// <summary>
/// A temporary folder that records which process owns it. A test run that is killed cannot delete its
/// folders; the next run removes those whose owner is gone.
/// </summary>
public static class OwnedTempFolder
{
    private const string OwnerFile = "owner.pid";

    public static string Create(string prefix)
    {
        RemoveAbandoned(prefix);
        var folder = Directory.CreateTempSubdirectory(prefix).FullName;
        File.WriteAllText(Path.Combine(folder, OwnerFile), Environment.ProcessId.ToString());
        return folder;
    }

    private static void RemoveAbandoned(string prefix)
    {
        foreach (var folder in Directory.EnumerateDirectories(Path.GetTempPath(), prefix + "*"))
        {
            var owner = Path.Combine(folder, OwnerFile);
            if (File.Exists(owner) && int.TryParse(File.ReadAllText(owner), out var pid) && !IsAlive(pid))
            {
                KillServerOf(folder);
                try { Directory.Delete(folder, recursive: true); } catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { }
            }
        }
    }

    /// <summary>A server that outlived its owner (its pid file is in the folder) goes with the folder.</summary>
    private static void KillServerOf(string folder)
    {
        foreach (var pidFile in Directory.EnumerateFiles(folder, "*.pid").Where(f => Path.GetFileName(f) != OwnerFile))
        {
            if (int.TryParse(File.ReadAllText(pidFile).Trim(), out var serverPid)
                && File.Exists($"/proc/{serverPid}/cmdline")
                && File.ReadAllText($"/proc/{serverPid}/cmdline").Contains(folder, StringComparison.Ordinal))
            {
                try
                {
                    using var server = Process.GetProcessById(serverPid);
                    server.Kill();
                    server.WaitForExit(TimeSpan.FromSeconds(10));
                }
                catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
                {
                    // Gone already.
                }
            }
        }
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
