using Microsoft.EntityFrameworkCore;

namespace AiProgress.Jobs.Data;

public sealed class JobsDbContext(DbContextOptions<JobsDbContext> options) : DbContext(options)
{
    public DbSet<GenerationJob> Jobs => Set<GenerationJob>();

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        var job = modelBuilder.Entity<GenerationJob>();
        job.ToTable("ai_generation_jobs");
        job.HasKey(j => j.JobId);

        job.Property(j => j.JobId).HasColumnName("job_id").HasMaxLength(36).IsUnicode(false);
        job.Property(j => j.ClientId).HasColumnName("client_id").HasMaxLength(64).IsUnicode(false);
        job.Property(j => j.Status).HasColumnName("status").HasMaxLength(16).IsUnicode(false);
        job.Property(j => j.Prompt).HasColumnName("prompt");
        job.Property(j => j.SystemPrompt).HasColumnName("system_prompt");
        job.Property(j => j.Model).HasColumnName("model").HasMaxLength(128);
        job.Property(j => j.MaxTokens).HasColumnName("max_tokens");
        job.Property(j => j.Temperature).HasColumnName("temperature");
        job.Property(j => j.ProgressPercentage).HasColumnName("progress_percentage");
        job.Property(j => j.CurrentTokens).HasColumnName("current_tokens");
        job.Property(j => j.TokensPerSecond).HasColumnName("tokens_per_second");
        job.Property(j => j.ElapsedTime).HasColumnName("elapsed_time");
        job.Property(j => j.EstimatedTimeRemaining).HasColumnName("estimated_time_remaining");
        job.Property(j => j.LastUpdateAt).HasColumnName("last_update_at");
        job.Property(j => j.PromptTokens).HasColumnName("prompt_tokens");
        job.Property(j => j.CompletionTokens).HasColumnName("completion_tokens");
        job.Property(j => j.TotalTokens).HasColumnName("total_tokens");
        job.Property(j => j.GeneratedText).HasColumnName("generated_text").HasColumnType("mediumtext");
        job.Property(j => j.ErrorMessage).HasColumnName("error_message").HasMaxLength(1024);
        job.Property(j => j.CreatedAt).HasColumnName("created_at");
        job.Property(j => j.StartedAt).HasColumnName("started_at");
        job.Property(j => j.CompletedAt).HasColumnName("completed_at");
        job.Property(j => j.Attempt).HasColumnName("attempt");
        job.Property(j => j.OutageHandbacks).HasColumnName("outage_handbacks");
        job.Property(j => j.TraceParent).HasColumnName("trace_parent").HasMaxLength(64).IsUnicode(false);

        // Queue position and the recent-jobs list both read by status/owner in creation order.
        job.HasIndex(j => new { j.Status, j.CreatedAt }).HasDatabaseName("ix_jobs_status_created");
        job.HasIndex(j => new { j.ClientId, j.CreatedAt }).HasDatabaseName("ix_jobs_client_created");
    }
}
