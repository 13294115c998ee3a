using MySqlConnector;

namespace AiProgress.Benchmarks.Pipeline;

/// <summary>
/// A private MariaDB in a temporary folder, started as the AppHost's local mode starts it (no config files,
/// default durability: every commit is flushed), with databases created over the unix socket as root.
/// </summary>
internal sealed class MariaDbServer : IAsyncDisposable
{
    private readonly string _directory;
    private readonly string _socket;
    private readonly ServerProcess _process;

    private MariaDbServer(string directory, int port, ServerProcess process)
    {
        _directory = directory;
        _socket = Path.Combine(directory, "mariadb.sock");
        Port = port;
        _process = process;
    }

    public int Port { get; }

    public static async Task<MariaDbServer> StartAsync()
    {
        var directory = Directory.CreateTempSubdirectory("aiprogress-bench-mariadb-").FullName;
        var data = Path.Combine(directory, "data");
        await using (var install = ServerProcess.Start("/usr/bin/mariadb-install-db",
            ["--no-defaults", $"--datadir={data}", $"--user={Environment.UserName}", "--auth-root-authentication-method=socket", "--skip-test-db"], directory))
        {
            await install.WaitForExitAsync(TimeSpan.FromSeconds(120));
        }

        var port = ServerProcess.FreePort();
        var process = ServerProcess.Start("/usr/sbin/mariadbd",
        [
            "--no-defaults", $"--datadir={data}", $"--socket={Path.Combine(directory, "mariadb.sock")}",
            "--bind-address=127.0.0.1", $"--port={port}", $"--user={Environment.UserName}", "--skip-name-resolve",
            "--character-set-server=utf8mb4", "--collation-server=utf8mb4_unicode_ci",
            $"--pid-file={Path.Combine(directory, "mariadb.pid")}",
        ], directory);
        await process.WaitForPortAsync(port, TimeSpan.FromSeconds(60));
        return new MariaDbServer(directory, port, process);
    }

    /// <summary>A database and a user of its own; returns the user's TCP connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string name)
    {
        var password = Guid.NewGuid().ToString("N");
        await using var connection = new MySqlConnection($"Server={_socket};Protocol=Unix;User ID=root;");
        await connection.OpenAsync();
        await using var command = new MySqlCommand($"""
            CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
            CREATE USER '{name}'@'%' IDENTIFIED BY '{password}';
            GRANT ALL PRIVILEGES ON `{name}`.* TO '{name}'@'%';
            """, connection);
        await command.ExecuteNonQueryAsync();
        return $"Server=127.0.0.1;Port={Port};User ID={name};Password={password};Database={name}";
    }

    public async ValueTask DisposeAsync()
    {
        MySqlConnection.ClearAllPools();
        await _process.DisposeAsync();
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }
}
