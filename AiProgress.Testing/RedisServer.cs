namespace AiProgress.Testing;

/// <summary>A private redis-server on a free port (append-only, like the AppHost's), which a test may stop and start again.</summary>
public sealed class RedisServer : IAsyncDisposable
{
    private readonly string _directory = OwnedTempFolder.Create("aiprogress-redis-");
    private ServerProcess? _process;

    public int Port { get; } = FreePort.Next();

    public string ConnectionString => $"127.0.0.1:{Port}";

    public static async Task<RedisServer> StartNewAsync()
    {
        var server = new RedisServer();
        await server.StartAsync();
        return server;
    }

    public async Task StartAsync()
    {
        _process = ServerProcess.Start("redis-server",
            ["--port", Port.ToString(), "--bind", "127.0.0.1", "--dir", _directory, "--appendonly", "yes", "--appendfsync", "always", "--save", "", "--pidfile", Path.Combine(_directory, "redis.pid")]);
        await _process.WaitForPortAsync(Port, TimeSpan.FromSeconds(20));
    }

    /// <summary>The server's process id, to read its CPU time in /proc.</summary>
    public int ServerPid => (_process ?? throw new InvalidOperationException("redis-server is not running")).ServerPid;

    /// <summary>Killed, not shut down: the append-only file is all that survives, as after a crash.</summary>
    public async Task KillAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync();
            _process = null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }
}
