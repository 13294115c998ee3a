using StackExchange.Redis;

namespace AiProgress.Jobs.Events;

/// <summary>
/// A job's stream key, run record and note channel, built once per job: an appender at thousands of jobs would
/// otherwise format the same three strings for every append.
/// </summary>
public sealed class JobStreamKeys(string jobId)
{
    public string JobId { get; } = jobId;
    public RedisKey Events => ScriptKeys[0];
    public RedisKey Run => ScriptKeys[1];
    public string NoteChannel { get; } = RedisKeys.JobEventsAppended(jobId).ToString();

    /// <summary>The append script's keys (stream, run record): one array for all of the job's appends, never changed.</summary>
    public RedisKey[] ScriptKeys { get; } = [RedisKeys.JobEvents(jobId), RedisKeys.JobRun(jobId)];
}
