using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace AiProgress.Testing;

/// <summary>A real server program (redis-server, mariadbd) run by a test, with its output kept for failure messages.</summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ServerProcess(Process process) => _process = process;

    public string Output { get { lock (_output) { return _output.ToString(); } } }

    public bool HasExited => _process.HasExited;

    private int _serverPid;

    /// <summary>
    /// The server's own process id (the watchdog shell's child), to read its CPU and memory in /proc. Found once:
    /// finding it reads every process's stat, and a benchmark asks ten times a second (measured: 60 MB a second of
    /// garbage in the process that also runs the scripted server, three collections a second of it).
    /// </summary>
    public int ServerPid => _serverPid > 0 ? _serverPid : _serverPid = FindServerPid();

    private int FindServerPid() => ProcStat.ChildrenOf(_process.Id).FirstOrDefault(child => ProcStat.Command(child) != "sh") is var pid and > 0
        ? pid
        : throw new InvalidOperationException($"{Name} has no server process (yet).");

    private string Name => _process.StartInfo.ArgumentList[3];

    public static ServerProcess Start(string fileName, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        // A small watchdog shell runs the server and kills it when the test process is gone, so a crashed
        // or killed test run never leaves servers behind.
        var info = new ProcessStartInfo("/bin/sh")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        info.ArgumentList.Add("-c");
        // The watcher is a subshell of its own: if the test process's tree is killed parent-first, it is
        // orphaned together with the server and still kills it once the test process is gone.
        info.ArgumentList.Add($"""
            "$@" & child=$!
            ( while kill -0 {Environment.ProcessId} 2>/dev/null && kill -0 $child 2>/dev/null; do sleep 0.5; done
              kill -9 $child 2>/dev/null ) >/dev/null 2>&1 &
            wait $child
            """);
        info.ArgumentList.Add("watchdog");
        info.ArgumentList.Add(FindExecutable(fileName));
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = info };
        var server = new ServerProcess(process);
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return server;
    }

    public async Task WaitForPortAsync(int port, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"{Name} exited ({_process.ExitCode}):\n{Output}");
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }

        throw new TimeoutException($"{Name} did not listen on {port} within {timeout}:\n{Output}");
    }

    public async Task WaitForExitAsync(TimeSpan timeout)
    {
        await _process.WaitForExitAsync().WaitAsync(timeout);
        if (_process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Name} failed ({_process.ExitCode}):\n{Output}");
        }
    }

    /// <summary>SIGKILL: what a crash or an OOM kill looks like to everyone else.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }

    public static string FindExecutable(string name)
    {
        if (Path.IsPathRooted(name))
        {
            return name;
        }

        string[] directories = [.. (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':'), "/usr/sbin", "/usr/bin", "/sbin"];
        return directories.Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException($"'{name}' is not installed; run ./test.sh, which installs it.");
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_output)
        {
            if (_output.Length < 64_000) _output.AppendLine(line);
        }
    }
}
