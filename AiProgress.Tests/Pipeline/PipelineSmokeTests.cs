using AiProgress.Tests.Infrastructure;

namespace AiProgress.Tests.Pipeline;

public class PipelineSmokeTests(PipelineFixture system) : IClassFixture<PipelineFixture>
{
    [Fact]
    public async Task A_job_streams_through_queue_worker_and_database_to_completed()
    {
        system.Ollama.Enqueue(OllamaScript.Steady(tokens: 30, tokensPerSecond: 200));

        var jobId = await system.CreateJobAsync(maxTokens: 100);
        var status = await system.WaitForTerminalAsync(jobId);

        Assert.True(status.GetProperty("status").GetString() == "completed", status.ToString());
        Assert.Equal(string.Concat(Enumerable.Range(0, 30).Select(OllamaScript.Piece)), status.GetProperty("text").GetString());
        Assert.Equal(30, status.GetProperty("completion_tokens").GetInt32());
        Assert.Equal(7, status.GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(37, status.GetProperty("total_tokens").GetInt32());
        Assert.Equal(100, status.GetProperty("progress_percentage").GetDouble());
    }
}
