using System.Collections.Concurrent;

namespace AiProgress.Worker.Jobs;

/// <summary>The jobs this worker process is generating now.</summary>
public sealed class ActiveJobs
{
    private readonly ConcurrentDictionary<string, ActiveJob> _jobs = new();

    public void Add(ActiveJob job) => _jobs[job.JobId] = job;
    public void Remove(ActiveJob job) => _jobs.TryRemove(new KeyValuePair<string, ActiveJob>(job.JobId, job));
    public IReadOnlyCollection<ActiveJob> Snapshot() => _jobs.Values.ToArray();
    public int Count => _jobs.Count;

    public void Stop(string jobId, StopReason reason)
    {
        if (_jobs.TryGetValue(jobId, out var job))
        {
            job.Stop(reason);
        }
    }
}
