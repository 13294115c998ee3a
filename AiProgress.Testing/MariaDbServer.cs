using MySqlConnector;

namespace AiProgress.Testing;

/// <summary>
/// A real MariaDB server in a temporary folder. Tests share one for the whole run (initialising one takes
/// seconds) and each fixture gets its own database and user on it; benchmarks start their own, fully durable.
/// </summary>
public sealed class MariaDbServer : IAsyncDisposable
{
    private static readonly Lazy<Task<MariaDbServer>> Shared = new(() => StartAsync(durable: false));
    private readonly string _directory;
    private readonly string _socket;
    private ServerProcess _process = null!;
    private readonly string[] _arguments;

    private MariaDbServer(string directory, int port, bool durable)
    {
        Port = port;
        _directory = directory;
        _socket = Path.Combine(directory, "mariadb.sock");
        _arguments =
        [
            "--no-defaults", $"--datadir={Path.Combine(directory, "data")}", $"--socket={_socket}",
            "--bind-address=127.0.0.1", $"--port={port}", $"--user={Environment.UserName}", "--skip-name-resolve",
            "--character-set-server=utf8mb4", "--collation-server=utf8mb4_unicode_ci",
            // Tests trade the fsync per commit for speed; benchmarks measure what the AppHost runs.
            $"--innodb-flush-log-at-trx-commit={(durable ? 1 : 2)}",
            // A worker with thousands of jobs and an API with thousands of streams each fill a pool of 100.
            "--max-connections=1000",
            // Per-user counters (information_schema.USER_STATISTICS): a benchmark tells the API's reads from the worker's.
            "--userstat=1",
            $"--pid-file={Path.Combine(directory, "mariadb.pid")}", $"--tmpdir={TempDirectory(directory)}",
        ];
    }

    public int Port { get; }

    private static string TempDirectory(string directory) => Directory.CreateDirectory(Path.Combine(directory, "tmp")).FullName;

    public static Task<MariaDbServer> GetAsync() => Shared.Value;

    /// <summary>A server of one's own: for a test that restarts it while others run, or a benchmark.</summary>
    public static Task<MariaDbServer> StartPrivateAsync(bool durable = false) => StartAsync(durable);

    public async Task<string> CreateDatabaseAsync(string prefix)
    {
        var name = $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 60)];
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

    /// <summary>Another user with every right on the database of <paramref name="connectionString"/>; its connection string.</summary>
    public async Task<string> CreateUserAsync(string connectionString, string user)
    {
        var builder = new MySqlConnectionStringBuilder(connectionString);
        var password = Guid.NewGuid().ToString("N");
        await using var connection = new MySqlConnection($"Server={_socket};Protocol=Unix;User ID=root;");
        await connection.OpenAsync();
        await using var command = new MySqlCommand($"""
            CREATE USER '{user}'@'%' IDENTIFIED BY '{password}';
            GRANT ALL PRIVILEGES ON `{builder.Database}`.* TO '{user}'@'%';
            """, connection);
        await command.ExecuteNonQueryAsync();
        builder.UserID = user;
        builder.Password = password;
        return builder.ConnectionString;
    }

    /// <summary>SELECT statements a user has run so far (USER_STATISTICS, kept with --userstat).</summary>
    public async Task<long> SelectsByAsync(string user)
    {
        await using var connection = new MySqlConnection($"Server={_socket};Protocol=Unix;User ID=root;");
        await connection.OpenAsync();
        await using var command = new MySqlCommand("SELECT COALESCE(SUM(SELECT_COMMANDS), 0) FROM information_schema.USER_STATISTICS WHERE USER = @user", connection);
        command.Parameters.AddWithValue("@user", user);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The server's process id, to read its CPU time in /proc.</summary>
    public int ServerPid => _process.ServerPid;

    /// <summary>The server's own counters (SHOW GLOBAL STATUS), e.g. Com_select, Innodb_rows_updated: what a benchmark counts.</summary>
    public async Task<IReadOnlyDictionary<string, long>> StatusAsync(params string[] names)
    {
        await using var connection = new MySqlConnection($"Server={_socket};Protocol=Unix;User ID=root;");
        await connection.OpenAsync();
        await using var command = new MySqlCommand("SHOW GLOBAL STATUS", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var values = new Dictionary<string, long>(StringComparer.OrdinalIgnoreCase);
        while (await reader.ReadAsync())
        {
            var name = reader.GetString(0);
            if (names.Contains(name, StringComparer.OrdinalIgnoreCase) && long.TryParse(reader.GetString(1), out var value))
            {
                values[name] = value;
            }
        }

        return values;
    }

    /// <summary>Kills the server and starts it again on the same port and data: what a MySQL restart looks like.</summary>
    public async Task RestartAsync(TimeSpan downtime, Func<Task>? whileDown = null)
    {
        await _process.KillAsync();
        var down = Task.Delay(downtime);
        if (whileDown is not null)
        {
            await whileDown();
        }

        await down;
        _process = ServerProcess.Start("mariadbd", _arguments);
        await _process.WaitForPortAsync(Port, TimeSpan.FromSeconds(60));
    }

    private static async Task<MariaDbServer> StartAsync(bool durable)
    {
        var directory = OwnedTempFolder.Create("aiprogress-mariadb-");
        var install = ServerProcess.Start("mariadb-install-db",
        [
            "--no-defaults", $"--datadir={Path.Combine(directory, "data")}", $"--user={Environment.UserName}",
            "--auth-root-authentication-method=socket", "--skip-test-db",
            // Its own temporary folder: servers set up side by side in /tmp were seen to trip over each other's files.
            $"--tmpdir={TempDirectory(directory)}",
        ]);
        await install.WaitForExitAsync(TimeSpan.FromSeconds(120));

        // A free port can be taken by someone else before mariadbd binds it: try again on another.
        MariaDbServer server;
        for (var attempt = 1; ; attempt++)
        {
            server = new MariaDbServer(directory, FreePort.Next(), durable);
            server._process = ServerProcess.Start("mariadbd", server._arguments);
            try
            {
                await server._process.WaitForPortAsync(server.Port, TimeSpan.FromSeconds(60));
                break;
            }
            catch (InvalidOperationException) when (attempt < 3)
            {
                await server._process.DisposeAsync();
            }
        }

        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try { server._process.KillAsync().GetAwaiter().GetResult(); } catch (InvalidOperationException) { /* disposed already */ }
            try { Directory.Delete(directory, recursive: true); } catch (IOException) { }
        };
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }
}
