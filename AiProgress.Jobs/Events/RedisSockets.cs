using StackExchange.Redis;

namespace AiProgress.Jobs.Events;

/// <summary>How the services' Redis connections do their socket work.</summary>
public static class RedisSockets
{
    /// <summary>
    /// The .NET thread pool instead of StackExchange.Redis's dedicated threads: on two cores every hand-off to those
    /// threads is a wake-up of its own. Measured with 2,500 jobs out of step (5,000 watchers): the worker's CPU per token
    /// 71–82 µs against 89–91, the API's 71–78 against 82–87. Nothing in the services blocks a pool thread on I/O.
    /// </summary>
    public static void UseThreadPool(ConfigurationOptions options) => options.SocketManager = SocketManager.ThreadPool;
}
