using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace AiProgress.Benchmarks.Pipeline;

/// <summary>
/// A server program (redis-server, mariadbd) run by the benchmark under a small watchdog shell that kills it
/// when this process is gone, so neither a finished nor an interrupted run leaves servers behind.
/// </summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _name;
    private readonly StringBuilder _output = new();

    private ServerProcess(Process process, string name)
    {
        _process = process;
        _name = name;
    }

    /// <param name="ownedDirectory">Deleted by the watchdog when this process is gone without having disposed the server.</param>
    public static ServerProcess Start(string executable, IEnumerable<string> arguments, string? ownedDirectory = null)
    {
        // The watchdog ignores Ctrl+C (so does the server, started in the background), outlives this process by
        // at most half a second, then kills the server and removes its folder: after a normal exit, Ctrl+C,
        // SIGTERM, a crash or SIGKILL alike.
        var info = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.Environment["AIPROGRESS_BENCH_OWNED_DIR"] = ownedDirectory ?? "";
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add($"""
            trap '' INT
            "$@" & child=$!
            while kill -0 {Environment.ProcessId} 2>/dev/null && kill -0 $child 2>/dev/null; do sleep 0.5; done
            if kill -0 {Environment.ProcessId} 2>/dev/null; then wait $child; exit $?; fi
            kill -9 $child 2>/dev/null; wait $child
            [ -n "$AIPROGRESS_BENCH_OWNED_DIR" ] && rm -rf "$AIPROGRESS_BENCH_OWNED_DIR"
            """);
        info.ArgumentList.Add("watchdog");
        info.ArgumentList.Add(executable);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        var server = new ServerProcess(new Process { StartInfo = info }, Path.GetFileName(executable));
        server._process.OutputDataReceived += (_, e) => server.Append(e.Data);
        server._process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        server._process.Start();
        server._process.BeginOutputReadLine();
        server._process.BeginErrorReadLine();
        return server;
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async Task WaitForPortAsync(int port, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"{_name} exited ({_process.ExitCode}):\n{Output}");
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }

        throw new TimeoutException($"{_name} did not listen on {port} within {timeout}:\n{Output}");
    }

    public async Task WaitForExitAsync(TimeSpan timeout)
    {
        await _process.WaitForExitAsync().WaitAsync(timeout);
        if (_process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{_name} failed ({_process.ExitCode}):\n{Output}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        _process.Dispose();
    }

    private string Output { get { lock (_output) { return _output.ToString(); } } }

    private void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }
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
