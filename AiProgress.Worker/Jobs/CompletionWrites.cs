using AiProgress.Jobs.Batching;
using AiProgress.Jobs.Lifecycle;

namespace AiProgress.Worker.Jobs;

/// <summary>
/// Jobs' completed rows, group-committed (<see cref="GroupCommit{TItem, TResult}"/>, up to 250 a statement): a lone job
/// is written at once; thousands ending together (one batching server finishing a step) cost a few statements and
/// commits instead of one each.
/// </summary>
public sealed class CompletionWrites
{
    private readonly GroupCommit<Completion, bool> _writes;

    public CompletionWrites(JobLifecycle lifecycle) =>
        _writes = new GroupCommit<Completion, bool>(async batch =>
        {
            var completed = await lifecycle.CompleteManyAsync(batch, CancellationToken.None);
            return [.. batch.Select(c => completed.Contains(c.JobId))];
        }, maxPerWrite: 250);

    /// <summary>True when the row is completed under the attempt; false when it was cancelled or taken over meanwhile.</summary>
    public Task<bool> CompleteAsync(Completion completion, CancellationToken cancellationToken) =>
        _writes.WriteAsync(completion).WaitAsync(cancellationToken);
}
