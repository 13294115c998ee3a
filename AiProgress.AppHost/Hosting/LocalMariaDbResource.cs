namespace AiProgress.AppHost.Hosting;

/// <summary>A mariadbd process serving the jobs database to an application user with a generated password.</summary>
public sealed class LocalMariaDbResource(string name, string command, string workingDirectory, ParameterResource password, string databaseName)
    : ExecutableResource(name, command, workingDirectory), IResourceWithConnectionString
{
    public const string UserName = "aiprogress";

    public EndpointReference PrimaryEndpoint => new(this, "tcp");
    public ParameterResource Password { get; } = password;
    public string DatabaseName { get; } = databaseName;

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"Server={PrimaryEndpoint.Property(EndpointProperty.Host)};Port={PrimaryEndpoint.Property(EndpointProperty.Port)};User ID={UserName};Password={Password};Database={DatabaseName}");
}
