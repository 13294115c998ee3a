using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AiProgress.Jobs.Data.Migrations
{
    /// <summary>Counts the attempts handed back during an LLM outage, which the attempt limit does not count.</summary>
    public partial class OutageHandbacks : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "outage_handbacks",
                table: "ai_generation_jobs",
                type: "int",
                nullable: false,
                defaultValue: 0);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "outage_handbacks",
                table: "ai_generation_jobs");
        }
    }
}
