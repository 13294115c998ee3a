namespace AiProgress.Testing;

/// <summary>What Linux says about a process in /proc: its parent, its command, its CPU time and resident memory.</summary>
public static class ProcStat
{
    /// <summary>USER_HZ: /proc counts CPU time in these ticks, 100 a second on every Linux the SDK runs on.</summary>
    private const double TicksPerSecond = 100;

    public static IEnumerable<int> ChildrenOf(int parent) =>
        Directory.EnumerateDirectories("/proc")
            .Select(path => int.TryParse(Path.GetFileName(path), out var pid) ? pid : 0)
            .Where(pid => pid > 0 && Fields(pid) is { } fields && fields[1] == parent.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .Order();

    public static string? Command(int pid)
    {
        var stat = Read($"/proc/{pid}/stat");
        return stat is null ? null : stat[(stat.IndexOf('(') + 1)..stat.LastIndexOf(')')];
    }

    /// <summary>User plus system CPU time the process has used so far.</summary>
    public static TimeSpan CpuTime(int pid)
    {
        var fields = Fields(pid) ?? throw new InvalidOperationException($"process {pid} is gone");
        // After "(comm)": state is [0], ppid [1], … utime [11], stime [12].
        return TimeSpan.FromSeconds((long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture)
            + long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture)) / TicksPerSecond);
    }

    /// <summary>
    /// Steal time of all CPUs together: what the hypervisor gave to other guests while this one had work ready. On a
    /// shared virtual machine it is the difference between two runs of the same code that no profile of ours shows.
    /// </summary>
    public static TimeSpan MachineStealTime()
    {
        // The first line sums every CPU: "cpu  user nice system idle iowait irq softirq steal …".
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return fields.Length > 8
            ? TimeSpan.FromSeconds(long.Parse(fields[8], System.Globalization.CultureInfo.InvariantCulture) / TicksPerSecond)
            : TimeSpan.Zero;
    }

    /// <summary>Resident memory (VmRSS) in KiB.</summary>
    public static long RssKb(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Threads the process has now.</summary>
    public static int Threads(int pid) => Fields(pid) is { } fields ? int.Parse(fields[17], System.Globalization.CultureInfo.InvariantCulture) : 0;

    /// <summary>The fields of /proc/pid/stat after the command, which may itself hold spaces.</summary>
    private static string[]? Fields(int pid)
    {
        var stat = Read($"/proc/{pid}/stat");
        return stat?[(stat.LastIndexOf(')') + 2)..].Split(' ');
    }

    private static string? Read(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
