namespace AiProgress.Worker.Jobs;

/// <summary>What the health check reads of the consumer loop.</summary>
public readonly record struct ConsumerLiveness(bool Listening, TimeSpan SinceLastRound, TimeSpan Limit, Exception? Exception);
