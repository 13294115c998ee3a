namespace AiProgress.AppHost.Hosting;

public static class DatabaseExtensions
{
    /// <summary>
    /// The MySQL database: the MySQL 8 image with a data volume, or a local MariaDB whose data directory is
    /// initialised once under the AppHost's data folder. Either way, consumers get ConnectionStrings__{name}.
    /// </summary>
    public static IResourceBuilder<IResourceWithConnectionString> AddJobsDatabase(
        this IDistributedApplicationBuilder builder, string name, HostingMode mode, string dataRoot, string databaseName = "aiprogress")
    {
        var password = ParameterResourceBuilderExtensions.CreateDefaultPasswordParameter(builder, $"{name}-password", special: false);
        return mode == HostingMode.Containers
            ? AddMySqlContainer(builder, name, password, databaseName)
            : AddLocalMariaDb(builder, name, password, databaseName, dataRoot);
    }

    private static IResourceBuilder<IResourceWithConnectionString> AddMySqlContainer(
        IDistributedApplicationBuilder builder, string name, ParameterResource password, string databaseName)
    {
        var mysql = new MySqlContainerResource(name, password, databaseName);
        builder.AddResource(mysql)
            .WithImage(MySqlContainerResource.Image, MySqlContainerResource.Tag)
            .WithEndpoint(name: "tcp", scheme: "tcp", targetPort: 3306)
            .WithEnvironment("MYSQL_ROOT_PASSWORD", ReferenceExpression.Create($"{password}"))
            .WithEnvironment("MYSQL_DATABASE", databaseName)
            .WithVolume("aiprogress-mysql-data", "/var/lib/mysql")
            .WithConnectionHealthCheck(resource => new MySqlHealthCheck(resource));
        return builder.CreateResourceBuilder<IResourceWithConnectionString>(mysql);
    }

    private static IResourceBuilder<IResourceWithConnectionString> AddLocalMariaDb(
        IDistributedApplicationBuilder builder, string name, ParameterResource password, string databaseName, string dataRoot)
    {
        var root = Directory.CreateDirectory(Path.Combine(dataRoot, "mariadb")).FullName;
        var dataDirectory = Path.Combine(root, "data");
        var socket = Path.Combine(root, "mariadb.sock");
        var initFile = Path.Combine(root, "init.sql");

        // Runs once per data folder (about 1.5 s); later starts find the system tables and skip it.
        var init = builder.AddExecutable($"{name}-init", "/bin/sh", root, "-c",
            $"test -d '{dataDirectory}/mysql' || '{ExecutableLocator.Find("mariadb-install-db")}' --no-defaults " +
            $"--datadir='{dataDirectory}' --user=\"$(id -un)\" --auth-root-authentication-method=socket --skip-test-db");

        var server = new LocalMariaDbResource(name, ExecutableLocator.Find("mariadbd"), root, password, databaseName);
        builder.AddResource(server)
            .WithEndpoint(name: "tcp", scheme: "tcp")
            .WithArgs(context =>
            {
                context.Args.Add("--no-defaults");
                context.Args.Add($"--datadir={dataDirectory}");
                context.Args.Add($"--socket={socket}");
                context.Args.Add("--bind-address=127.0.0.1");
                context.Args.Add(ReferenceExpression.Create($"--port={server.PrimaryEndpoint.Property(EndpointProperty.TargetPort)}"));
                context.Args.Add($"--user={Environment.UserName}");
                context.Args.Add($"--init-file={initFile}");
                context.Args.Add("--skip-name-resolve");
                context.Args.Add("--character-set-server=utf8mb4");
                context.Args.Add("--collation-server=utf8mb4_unicode_ci");
            })
            .WithConnectionHealthCheck(resource => new MySqlHealthCheck(resource))
            .WaitForCompletion(init);

        // The init file (re)creates the database and sets the application user's password at every start,
        // so a new password parameter simply takes effect.
        builder.Eventing.Subscribe<BeforeResourceStartedEvent>(server, async (_, cancellationToken) =>
        {
            var secret = await password.GetValueAsync(cancellationToken);
            await File.WriteAllTextAsync(initFile, $"""
                CREATE DATABASE IF NOT EXISTS `{databaseName}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
                CREATE USER IF NOT EXISTS '{LocalMariaDbResource.UserName}'@'%' IDENTIFIED BY '{secret}';
                ALTER USER '{LocalMariaDbResource.UserName}'@'%' IDENTIFIED BY '{secret}';
                GRANT ALL PRIVILEGES ON `{databaseName}`.* TO '{LocalMariaDbResource.UserName}'@'%';
                FLUSH PRIVILEGES;
                """, cancellationToken);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(initFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        });
        return builder.CreateResourceBuilder<IResourceWithConnectionString>(server);
    }
}
