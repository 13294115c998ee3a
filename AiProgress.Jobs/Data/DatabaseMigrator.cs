using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MySqlConnector;

namespace AiProgress.Jobs.Data;

public static class DatabaseMigrator
{
    private const string LockName = "aiprogress_migrations";

    /// <summary>
    /// Applies pending migrations under a server-wide named lock, so replicas of the API and the worker
    /// that start together migrate once and the others wait, then find nothing to do.
    /// </summary>
    public static async Task MigrateJobsDatabaseAsync(this IServiceProvider services, CancellationToken cancellationToken = default)
    {
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(DatabaseMigrator));
        await using var connection = await services.GetRequiredService<MySqlDataSource>().OpenConnectionAsync(cancellationToken);
        await using (var acquire = new MySqlCommand($"SELECT GET_LOCK('{LockName}', 120)", connection))
        {
            if (Convert.ToInt32(await acquire.ExecuteScalarAsync(cancellationToken)) != 1)
            {
                throw new TimeoutException("Another process held the migration lock for 120 s.");
            }
        }

        try
        {
            await using var scope = services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<JobsDbContext>();
            var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
            if (pending.Count > 0)
            {
                logger.LogInformation("Applying migrations {Migrations}", string.Join(", ", pending));
                await db.Database.MigrateAsync(cancellationToken);
            }
        }
        finally
        {
            await using var release = new MySqlCommand($"SELECT RELEASE_LOCK('{LockName}')", connection);
            await release.ExecuteScalarAsync(CancellationToken.None);
        }
    }
}
