using AiProgress.Jobs.Queue;
using System.Collections.Concurrent;

namespace AiProgress.Worker.Jobs;

/// <summary>The jobs this worker process is generating now.</summary>
public sealed class ActiveJobs
{
    private readonly ConcurrentDictionary<string, ActiveJob> _jobs = new();

    public void Add(ActiveJob job) => _jobs[job.JobId] = job;
    public void Remove(ActiveJob job) => _jobs.TryRemove(new KeyValuePair<string, ActiveJob>(job.JobId, job));
    public IReadOnlyCollection<ActiveJob> Snapshot() => _jobs.Values.ToArray();

    /// <summary>The jobs as they are while enumerated: no lock and no copy, for the pump's look a hundred times a second.</summary>
    public IEnumerable<ActiveJob> Current
    {
        get
        {
            foreach (var pair in _jobs)
            {
                yield return pair.Value;
            }
        }
    }
    public int Count => _jobs.Count;

    /// <summary>Whether a run here answers for this queue entry.</summary>
    public bool RunsEntry(string entryId) => _jobs.Values.Any(j => j.Entry.EntryId == entryId);

    /// <summary>
    /// When a job this worker already runs is delivered again (Redis restarted and lost the delivery), the
    /// run adopts the new entry instead of starting a second attempt; returns the entry it replaced.
    /// </summary>
    public QueueEntry? Adopt(QueueEntry entry)
    {
        if (!_jobs.TryGetValue(entry.JobId, out var job))
        {
            return null;
        }

        var previous = job.Entry;
        job.Entry = entry;
        return previous;
    }

    public void Stop(string jobId, StopReason reason)
    {
        if (_jobs.TryGetValue(jobId, out var job))
        {
            job.Stop(reason);
        }
    }
}
