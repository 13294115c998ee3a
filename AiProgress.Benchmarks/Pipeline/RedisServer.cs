namespace AiProgress.Benchmarks.Pipeline;

/// <summary>A private redis-server on a free port in a temporary folder, append-only like the AppHost's.</summary>
internal sealed class RedisServer : IAsyncDisposable
{
    private readonly string _directory;
    private readonly ServerProcess _process;

    private RedisServer(string directory, int port, ServerProcess process)
    {
        _directory = directory;
        Port = port;
        _process = process;
    }

    public int Port { get; }

    public string ConnectionString => $"127.0.0.1:{Port}";

    public static async Task<RedisServer> StartAsync()
    {
        var directory = Directory.CreateTempSubdirectory("aiprogress-bench-redis-").FullName;
        var port = ServerProcess.FreePort();
        var process = ServerProcess.Start("/usr/bin/redis-server",
            ["--port", port.ToString(), "--bind", "127.0.0.1", "--dir", directory, "--appendonly", "yes", "--save", ""], directory);
        await process.WaitForPortAsync(port, TimeSpan.FromSeconds(20));
        return new RedisServer(directory, port, process);
    }

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }
}
