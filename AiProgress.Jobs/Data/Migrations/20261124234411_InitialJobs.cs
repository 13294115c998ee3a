using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AiProgress.Jobs.Data.Migrations
{
    /// <inheritdoc />
    public partial class InitialJobs : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterDatabase()
                .Annotation("MySql:CharSet", "utf8mb4");

            migrationBuilder.CreateTable(
                name: "ai_generation_jobs",
                columns: table => new
                {
                    job_id = table.Column<string>(type: "varchar(36)", unicode: false, maxLength: 36, nullable: false)
                        .Annotation("MySql:CharSet", "utf8mb4"),
                    client_id = table.Column<string>(type: "varchar(64)", unicode: false, maxLength: 64, nullable: false)
                        .Annotation("MySql:CharSet", "utf8mb4"),
                    status = table.Column<string>(type: "varchar(16)", unicode: false, maxLength: 16, nullable: false)
                        .Annotation("MySql:CharSet", "utf8mb4"),
                    prompt = table.Column<string>(type: "longtext", nullable: false)
                        .Annotation("MySql:CharSet", "utf8mb4"),
                    system_prompt = table.Column<string>(type: "longtext", nullable: true)
                        .Annotation("MySql:CharSet", "utf8mb4"),
                    model = table.Column<string>(type: "varchar(128)", maxLength: 128, nullable: false)
                        .Annotation("MySql:CharSet", "utf8mb4"),
                    max_tokens = table.Column<int>(type: "int", nullable: false),
                    temperature = table.Column<double>(type: "double", nullable: true),
                    progress_percentage = table.Column<double>(type: "double", nullable: false),
                    current_tokens = table.Column<int>(type: "int", nullable: false),
                    tokens_per_second = table.Column<double>(type: "double", nullable: false),
                    elapsed_time = table.Column<long>(type: "bigint", nullable: false),
                    estimated_time_remaining = table.Column<long>(type: "bigint", nullable: true),
                    last_update_at = table.Column<DateTime>(type: "datetime(6)", nullable: true),
                    prompt_tokens = table.Column<int>(type: "int", nullable: true),
                    completion_tokens = table.Column<int>(type: "int", nullable: true),
                    total_tokens = table.Column<int>(type: "int", nullable: true),
                    generated_text = table.Column<string>(type: "mediumtext", nullable: false)
                        .Annotation("MySql:CharSet", "utf8mb4"),
                    error_message = table.Column<string>(type: "varchar(1024)", maxLength: 1024, nullable: true)
                        .Annotation("MySql:CharSet", "utf8mb4"),
                    created_at = table.Column<DateTime>(type: "datetime(6)", nullable: false),
                    started_at = table.Column<DateTime>(type: "datetime(6)", nullable: true),
                    completed_at = table.Column<DateTime>(type: "datetime(6)", nullable: true),
                    attempt = table.Column<int>(type: "int", nullable: false),
                    queue_entry_id = table.Column<string>(type: "varchar(40)", unicode: false, maxLength: 40, nullable: true)
                        .Annotation("MySql:CharSet", "utf8mb4"),
                    trace_parent = table.Column<string>(type: "varchar(64)", unicode: false, maxLength: 64, nullable: true)
                        .Annotation("MySql:CharSet", "utf8mb4")
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ai_generation_jobs", x => x.job_id);
                })
                .Annotation("MySql:CharSet", "utf8mb4");

            migrationBuilder.CreateIndex(
                name: "ix_jobs_client_created",
                table: "ai_generation_jobs",
                columns: new[] { "client_id", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_jobs_status_created",
                table: "ai_generation_jobs",
                columns: new[] { "status", "created_at" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ai_generation_jobs");
        }
    }
}
