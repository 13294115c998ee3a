using StackExchange.Redis;

namespace AiProgress.Jobs.Events;

/// <summary>
/// A job's stream key, run record and note channel, built once per job: an appender at thousands of jobs would
/// otherwise format the same three strings for every append.
/// </summary>
public sealed class JobStreamKeys(string jobId)
{
    public string JobId { get; } = jobId;
    public RedisKey Events { get; } = RedisKeys.JobEvents(jobId);
    public RedisKey Run { get; } = RedisKeys.JobRun(jobId);
    public string NoteChannel { get; } = RedisKeys.JobEventsAppended(jobId).ToString();
}
