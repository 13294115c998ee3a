using Microsoft.Extensions.Diagnostics.HealthChecks;
using MySqlConnector;
using StackExchange.Redis;

namespace AiProgress.AppHost.Hosting;

/// <summary>Readiness of a local server, so that <c>WaitFor</c> means "accepts work", not "process started".</summary>
internal abstract class ConnectionStringHealthCheck(IResourceWithConnectionString resource) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var connectionString = await resource.ConnectionStringExpression.GetValueAsync(cancellationToken)
                ?? throw new InvalidOperationException("No connection string yet.");
            await PingAsync(connectionString, cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy($"{resource.Name} is not ready: {ex.Message}");
        }
    }

    protected abstract Task PingAsync(string connectionString, CancellationToken cancellationToken);
}

internal sealed class MySqlHealthCheck(IResourceWithConnectionString resource) : ConnectionStringHealthCheck(resource)
{
    protected override async Task PingAsync(string connectionString, CancellationToken cancellationToken)
    {
        await using var connection = new MySqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new MySqlCommand("SELECT 1", connection);
        await command.ExecuteScalarAsync(cancellationToken);
    }
}

internal sealed class RedisHealthCheck(IResourceWithConnectionString resource) : ConnectionStringHealthCheck(resource)
{
    protected override async Task PingAsync(string connectionString, CancellationToken cancellationToken)
    {
        var options = ConfigurationOptions.Parse(connectionString);
        options.AbortOnConnectFail = true;
        options.ConnectTimeout = 2000;
        await using var redis = await ConnectionMultiplexer.ConnectAsync(options);
        await redis.GetDatabase().PingAsync();
    }
}

internal static class HealthCheckRegistrations
{
    public static IResourceBuilder<T> WithConnectionHealthCheck<T>(
        this IResourceBuilder<T> builder, Func<IResourceWithConnectionString, IHealthCheck> check)
        where T : IResourceWithConnectionString
    {
        var key = $"{builder.Resource.Name}-ready";
        builder.ApplicationBuilder.Services.AddHealthChecks()
            .Add(new HealthCheckRegistration(key, _ => check(builder.Resource), failureStatus: null, tags: null));
        return builder.WithHealthCheck(key);
    }
}
