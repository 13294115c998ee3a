using AiProgress.Jobs.Data;

namespace AiProgress.Jobs.Lifecycle;

/// <summary>A job's end as its attempt records it: the final numbers and the whole text.</summary>
public sealed record Completion(string JobId, int Attempt, FinalCounts Counts, string Text, long ElapsedMs);

public sealed partial class JobLifecycle
{
    private const string CompleteSql = $$"""
        UPDATE ai_generation_jobs j
        JOIN JSON_TABLE(@rows, '$[*]' COLUMNS (
          {{RowKeyColumns}},
          prompt_tokens INT PATH '$.prompt',
          completion_tokens INT PATH '$.completion',
          rate DOUBLE PATH '$.rate',
          elapsed BIGINT PATH '$.elapsed',
          text MEDIUMTEXT CHARACTER SET utf8mb4 PATH '$.text')) r
          ON {{RowsJob}}
        SET j.status = @completed, j.progress_percentage = 100, j.current_tokens = r.completion_tokens,
          j.prompt_tokens = r.prompt_tokens, j.completion_tokens = r.completion_tokens,
          j.total_tokens = r.prompt_tokens + r.completion_tokens, j.tokens_per_second = r.rate, j.elapsed_time = r.elapsed,
          j.estimated_time_remaining = 0, j.generated_text = r.text, j.last_update_at = @now, j.completed_at = @now
        WHERE j.status = @processing
        """;

    /// <summary>
    /// Completes many jobs in one fenced statement (a burst of jobs ending together costs one commit, not one each).
    /// Returns the jobs now completed under the given attempt (by this statement, or by an earlier try of it whose
    /// answer was lost with the connection); one missing was cancelled or taken over meanwhile.
    /// </summary>
    public async Task<IReadOnlySet<string>> CompleteManyAsync(IReadOnlyList<Completion> completions, CancellationToken cancellationToken)
    {
        if (completions.Count == 0)
        {
            return new HashSet<string>();
        }

        using var rowsJson = JsonRows(completions, completions.Sum(c => c.Text.Length + 128), static (json, c) =>
        {
            json.WriteString("id"u8, c.JobId);
            json.WriteNumber("attempt"u8, c.Attempt);
            json.WriteNumber("prompt"u8, c.Counts.PromptTokens);
            json.WriteNumber("completion"u8, c.Counts.CompletionTokens);
            json.WriteNumber("rate"u8, Finite(c.Counts.TokensPerSecond));
            json.WriteNumber("elapsed"u8, c.ElapsedMs);
            json.WriteString("text"u8, c.Text);
        });
        return await UpdateRowsAsync(CompleteSql, rowsJson.Text, completions.Count, JobStatus.Completed, cancellationToken,
                ("@completed", JobStatus.Completed), ("@processing", JobStatus.Processing))
            ?? completions.Select(c => c.JobId).ToHashSet();
    }
}
