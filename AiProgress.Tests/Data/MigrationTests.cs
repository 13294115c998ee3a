using AiProgress.Jobs.Data;
using AiProgress.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.EntityFrameworkCore;
using MySqlConnector;

namespace AiProgress.Tests.Data;

public class MigrationTests
{
    [Fact]
    public async Task Replicas_starting_together_migrate_once_and_all_start()
    {
        var server = await MariaDbServer.GetAsync();
        var connectionString = await server.CreateDatabaseAsync("migrations");
        var replicas = Enumerable.Range(0, 4).Select(_ => BuildServices(connectionString)).ToList();

        await Task.WhenAll(replicas.Select(r => Task.Run(() => r.MigrateJobsDatabaseAsync()))).WaitAsync(TimeSpan.FromSeconds(120));
        await replicas[0].MigrateJobsDatabaseAsync().WaitAsync(TimeSpan.FromSeconds(30));

        await using var connection = new MySqlConnection(connectionString);
        await connection.OpenAsync();
        await using var history = new MySqlCommand("SELECT COUNT(*) FROM __EFMigrationsHistory", connection);
        await using var columns = new MySqlCommand(
            "SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'ai_generation_jobs' " +
            "AND column_name IN ('job_id','status','progress_percentage','current_tokens','tokens_per_second','elapsed_time'," +
            "'estimated_time_remaining','last_update_at','prompt_tokens','completion_tokens','total_tokens')", connection);
        await using var db = await replicas[0].GetRequiredService<IDbContextFactory<JobsDbContext>>().CreateDbContextAsync();
        Assert.Equal(db.Database.GetMigrations().LongCount(), Convert.ToInt64(await history.ExecuteScalarAsync()));
        Assert.Equal(11L, Convert.ToInt64(await columns.ExecuteScalarAsync()));
        foreach (var replica in replicas) await replica.DisposeAsync();
    }

    private static ServiceProvider BuildServices(string connectionString)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:db"] = connectionString });
        builder.AddJobsDatabase();
        return builder.Services.BuildServiceProvider();
    }
}
