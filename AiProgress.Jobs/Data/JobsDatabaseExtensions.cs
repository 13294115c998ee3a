using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MySqlConnector;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace AiProgress.Jobs.Data;

public static class JobsDatabaseExtensions
{
    /// <summary>
    /// Registers the jobs <see cref="JobsDbContext"/> (Pomelo), a <see cref="MySqlDataSource"/> for batched raw writes,
    /// a readiness health check and MySqlConnector's own traces and metrics.
    /// </summary>
    public static IHostApplicationBuilder AddJobsDatabase(this IHostApplicationBuilder builder, string connectionName = "db")
    {
        var configured = builder.Configuration.GetConnectionString(connectionName)
            ?? throw new InvalidOperationException($"Connection string '{connectionName}' is missing (ConnectionStrings__{connectionName}).");
        // Pomelo requires the first two; found (not changed) rows also make a fenced UPDATE's count mean "still mine".
        // Raw reads get UTC instants as EF's do (UtcDateTimeConverter), and a local time can never be written.
        var connectionString = new MySqlConnectionStringBuilder(configured)
        {
            AllowUserVariables = true,
            UseAffectedRows = false,
            DateTimeKind = MySqlDateTimeKind.Utc,
        }.ConnectionString;
        var configuredVersion = builder.Configuration["Database:ServerVersion"];

        builder.Services.AddSingleton(_ => new MySqlDataSourceBuilder(connectionString).Build());
        builder.Services.AddPooledDbContextFactory<JobsDbContext>((services, options) =>
        {
            var serverVersion = configuredVersion is { Length: > 0 }
                ? ServerVersion.Parse(configuredVersion)
                : ServerVersion.AutoDetect(connectionString);
            options.UseMySql(services.GetRequiredService<MySqlDataSource>(), serverVersion)
                // EF caches one internal provider per host; a process hosting many (the test suite's API and worker
                // replicas) passes twenty without anything being wrong, and a service has one host.
                .ConfigureWarnings(warnings => warnings.Ignore(CoreEventId.ManyServiceProvidersCreatedWarning));
        });
        // Request handlers take a context from the same pool; background code asks the factory.
        builder.Services.AddScoped(services => services.GetRequiredService<IDbContextFactory<JobsDbContext>>().CreateDbContext());

        builder.Services.AddHealthChecks().AddCheck<JobsDatabaseHealthCheck>("db", tags: ["ready"]);
        builder.Services.AddOpenTelemetry()
            .WithTracing(tracing => tracing.AddSource("MySqlConnector"))
            .WithMetrics(metrics => metrics.AddMeter("MySqlConnector"));
        return builder;
    }
}
