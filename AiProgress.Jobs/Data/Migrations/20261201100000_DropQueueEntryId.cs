using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AiProgress.Jobs.Data.Migrations
{
    /// <summary>The queue entry id was written on every create and read nowhere.</summary>
    public partial class DropQueueEntryId : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "queue_entry_id",
                table: "ai_generation_jobs");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "queue_entry_id",
                table: "ai_generation_jobs",
                type: "varchar(40)",
                unicode: false,
                maxLength: 40,
                nullable: true)
                .Annotation("MySql:CharSet", "utf8mb4");
        }
    }
}
