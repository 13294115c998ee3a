namespace AiProgress.AppHost.Hosting;

/// <summary>The MySQL 8 image with the jobs database; root's password is a generated secret parameter.</summary>
public sealed class MySqlContainerResource(string name, ParameterResource password, string databaseName)
    : ContainerResource(name), IResourceWithConnectionString
{
    public const string Image = "library/mysql";
    public const string Tag = "8.4";

    public EndpointReference PrimaryEndpoint => new(this, "tcp");
    public ParameterResource Password { get; } = password;
    public string DatabaseName { get; } = databaseName;

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"Server={PrimaryEndpoint.Property(EndpointProperty.Host)};Port={PrimaryEndpoint.Property(EndpointProperty.Port)};User ID=root;Password={Password};Database={DatabaseName}");
}
