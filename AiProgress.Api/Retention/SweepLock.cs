using AiProgress.Jobs.Data;
using Microsoft.EntityFrameworkCore;

namespace AiProgress.Api.Retention;

/// <summary>
/// A MySQL named lock, so that one API replica at a time sweeps. It belongs to the connection: a replica that
/// dies mid-sweep lets go of it with its connection.
/// </summary>
public sealed class SweepLock : IAsyncDisposable
{
    // Named locks are server-wide: the database's name keeps two deployments on one server apart.
    public const string NameSql = "LEFT(CONCAT('aiprogress.retention:', DATABASE()), 64)";
    private readonly JobsDbContext _db;

    private SweepLock(JobsDbContext db) => _db = db;

    /// <summary>The lock, or null when another replica holds it (no waiting: that one sweeps).</summary>
    public static async Task<SweepLock?> TryTakeAsync(IDbContextFactory<JobsDbContext> contexts, CancellationToken cancellationToken)
    {
        var db = await contexts.CreateDbContextAsync(cancellationToken);
        try
        {
            await db.Database.OpenConnectionAsync(cancellationToken);
            var taken = await db.Database.SqlQueryRaw<long?>($"SELECT GET_LOCK({NameSql}, 0) AS Value").SingleAsync(cancellationToken);
            if (taken == 1)
            {
                return new SweepLock(db);
            }
        }
        catch
        {
            await db.DisposeAsync();
            throw;
        }

        await db.DisposeAsync();
        return null;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _db.Database.SqlQueryRaw<long?>($"SELECT RELEASE_LOCK({NameSql}) AS Value").SingleAsync();
        }
        finally
        {
            // Closing the connection would release it anyway; pooled connections are reset on reuse.
            await _db.DisposeAsync();
        }
    }
}
