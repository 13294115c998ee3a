namespace AiProgress.Jobs.Batching;

/// <summary>
/// Group commit: an item that comes while a write is under way waits for the next write, which carries every item
/// waiting then (up to <paramref name="maxPerWrite"/>). A lone item is written at once, so nothing waits when the
/// system is quiet; under a burst the cost per call (a statement and its commit, a script call) is shared.
/// <paramref name="write"/> returns one result per item, in order; when it throws, every item of that write gets the
/// exception and the next write goes on.
/// </summary>
public sealed class GroupCommit<TItem, TResult>(Func<IReadOnlyList<TItem>, Task<IReadOnlyList<TResult>>> write, int maxPerWrite)
{
    private readonly object _gate = new();
    private readonly List<(TItem Item, TaskCompletionSource<TResult> Done)> _waiting = [];
    private bool _writing;

    public Task<TResult> WriteAsync(TItem item)
    {
        var done = new TaskCompletionSource<TResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            _waiting.Add((item, done));
            if (_writing)
            {
                return done.Task;
            }

            _writing = true;
        }

        _ = WriteWaitingAsync();
        return done.Task;
    }

    private async Task WriteWaitingAsync()
    {
        while (true)
        {
            (TItem Item, TaskCompletionSource<TResult> Done)[] batch;
            lock (_gate)
            {
                if (_waiting.Count == 0)
                {
                    _writing = false;
                    return;
                }

                batch = [.. _waiting.Take(maxPerWrite)];
                _waiting.RemoveRange(0, batch.Length);
            }

            try
            {
                var results = await write([.. batch.Select(b => b.Item)]).ConfigureAwait(false);
                for (var i = 0; i < batch.Length; i++)
                {
                    batch[i].Done.TrySetResult(results[i]);
                }
            }
            catch (Exception ex)
            {
                foreach (var (_, done) in batch)
                {
                    done.TrySetException(ex);
                }
            }
        }
    }
}
