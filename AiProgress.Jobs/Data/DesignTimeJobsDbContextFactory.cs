using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace AiProgress.Jobs.Data;

/// <summary>Lets <c>dotnet ef migrations add</c> build the model without a running server.</summary>
public sealed class DesignTimeJobsDbContextFactory : IDesignTimeDbContextFactory<JobsDbContext>
{
    public JobsDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<JobsDbContext>()
            .UseMySql("Server=localhost;Database=aiprogress", new MySqlServerVersion(new Version(8, 0, 36)))
            .Options);
}
