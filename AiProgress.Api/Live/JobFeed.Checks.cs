using AiProgress.Jobs.Data;
using AiProgress.Jobs.Events;
using StackExchange.Redis;

namespace AiProgress.Api.Live;

/// <summary>What the feed checks when its job is quiet, once for all its watchers: the row, and why it stalls.</summary>
public sealed partial class JobFeed
{
    /// <summary>
    /// Safety net: a job that ended while its events were lost (Redis restarted) still ends, and a queued job's
    /// watchers see its place in the queue move.
    /// </summary>
    private async Task CheckRowAsync()
    {
        var row = await _jobs.ReloadAsync(JobId, _stop.Token);
        if (row is null)
        {
            lock (_gate)
            {
                _gone = true;
                CloseLocked(FeedEnd.Finished);
            }

            return;
        }

        if (row.Status == JobStatus.Processing && _fold.LastId is not null)
        {
            return;
        }

        var (position, estimatedStart) = await _jobs.QueuePlaceAsync(row, _stop.Token);
        if (row.GeneratedText.Length > _fold.TextLength)
        {
            PublishMadeHere(JobEvents.Text(_fold.TextLength, row.GeneratedText[_fold.TextLength..]));
        }

        var state = $"{row.Status}|{row.LastUpdateAt?.Ticks}|{position}";
        var (type, data) = JobEvents.FromRow(row, position, _time.GetUtcNow(), estimatedStart);
        if (type != JobEventTypes.Progress || state != _lastRowState)
        {
            _lastRowState = state;
            PublishMadeHere((type, data));
        }
    }

    private async Task CheckStallAsync()
    {
        if (await _stalls.ReasonAsync(JobId, _status) is not { } reason || reason == _stalledReason)
        {
            return;
        }

        var last = _fold.LastProgress is { } progress
            ? JobEvents.ReadProgress(progress.Data)
            : JobEvents.ReadProgress(JobEvents.NothingYet(_time.GetUtcNow()).Data) with { Status = _status };
        PublishMadeHere(JobEvents.Stalled(last, reason, _time.GetUtcNow()));
        _stalledReason = reason;
    }

    /// <summary>A check that fails (MySQL down) is skipped: the live events go on, and the next check comes.</summary>
    private async Task CheckSafelyAsync(Func<Task> check)
    {
        try
        {
            await check();
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not RedisException)
        {
            _logger.LogWarning(ex, "Job {JobId}'s feed skipped a check", JobId);
        }
    }
}
