using System.Collections.Concurrent;
using AiProgress.Jobs.Data;
using AiProgress.Jobs.Telemetry;
using Microsoft.EntityFrameworkCore;

namespace AiProgress.Worker.Progress;

/// <summary>What the length model expects of a job's whole completion, given what it has written so far.</summary>
public sealed record LengthForecast(double Expected, double Low, double High);

/// <summary>
/// How long completions of each model turn out to be, learnt from the jobs that finished (MySQL has them; a
/// recent window is cached here and refreshed in the background, and this worker's own completions are added at
/// once). A job's expected length is the mean of the lengths longer than what it has already written, capped at
/// its max_tokens, with the 10th and 90th percentile as a band. With too little history there is no forecast,
/// and progress falls back to the seed's tokens / max_tokens.
/// </summary>
public sealed class CompletionLengths(IDbContextFactory<JobsDbContext> contexts, TimeProvider time, ILogger<CompletionLengths> logger)
    : BackgroundService
{
    public const int MinimumHistory = 10;
    private const int WindowPerModel = 500;
    private static readonly TimeSpan RefreshEvery = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<string, LengthHistory> _history = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>One finished job: how much it wrote, and the limit it had (a job at its limit might have gone on).</summary>
    public readonly record struct Sample(int Tokens, int MaxTokens);

    /// <summary>Called on every progress snapshot: a search of lengths kept sorted per history and limit.</summary>
    public LengthForecast? Forecast(string model, int maxTokens, int tokensSoFar) =>
        _history.TryGetValue(model, out var history) ? history.Forecast(maxTokens, tokensSoFar, MinimumHistory) : null;

    public void Record(string model, int completionTokens, int maxTokens) =>
        _history.GetOrAdd(model, _ => new LengthHistory(WindowPerModel, [])).Add(new Sample(completionTokens, maxTokens));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var untraced = Untraced.Begin();
        using var timer = new PeriodicTimer(RefreshEvery, time);
        do
        {
            try
            {
                await RefreshAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is System.Data.Common.DbException or InvalidOperationException or TimeoutException)
            {
                logger.LogDebug(ex, "Could not refresh the completion-length history; keeping what is known");
            }
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var since = time.GetUtcNow().UtcDateTime.AddDays(-30);
        var recent = await db.Jobs.AsNoTracking()
            .Where(j => j.Status == JobStatus.Completed && j.CompletedAt > since && j.CompletionTokens != null)
            .OrderByDescending(j => j.CompletedAt)
            .Take(WindowPerModel * 8)
            .Select(j => new { j.Model, Tokens = j.CompletionTokens!.Value, j.MaxTokens })
            .ToListAsync(cancellationToken);
        foreach (var model in recent.GroupBy(j => j.Model, StringComparer.OrdinalIgnoreCase))
        {
            _history[model.Key] = new LengthHistory(WindowPerModel, model.Take(WindowPerModel).Reverse().Select(j => new Sample(j.Tokens, j.MaxTokens)));
        }
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
