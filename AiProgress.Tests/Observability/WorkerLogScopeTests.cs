using AiProgress.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AiProgress.Tests.Observability;

public class WorkerLogScopeTests(ApiOnlyFixture system) : IClassFixture<ApiOnlyFixture>
{
    [Fact]
    public async Task Every_line_the_worker_writes_while_running_a_job_carries_its_JobId_scope()
    {
        var logs = new CapturingLoggerProvider();
        await using var worker = await WorkerHost.StartAsync(system.WorkerConfiguration(), services =>
            services.AddLogging(logging => logging.AddProvider(logs).AddFilter<CapturingLoggerProvider>("AiProgress", LogLevel.Information)));
        system.Ollama.Enqueue(new OllamaScript { FailWithStatus = 500 }, OllamaScript.Steady(10, 500));

        var jobId = await system.CreateJobAsync("logged", maxTokens: 10);
        await system.WaitForTerminalAsync(jobId);
        // The row turns terminal before the runner logs its end: wait for that line rather than race it.
        await Eventually.TrueAsync(() => logs.Logs.Any(l => l.Message.Contains(jobId, StringComparison.Ordinal) && l.Message.Contains("completed", StringComparison.Ordinal)),
            () => "the runner never logged the job's end", TimeSpan.FromSeconds(10));

        var runnerLines = logs.Logs.Where(l => l.Category.StartsWith("AiProgress.Worker.Jobs.Job", StringComparison.Ordinal) && l.Message.Contains(jobId, StringComparison.Ordinal)).ToList();
        Assert.Contains(runnerLines, l => l.Message.Contains("Generating job", StringComparison.Ordinal));
        Assert.Contains(runnerLines, l => l.Message.Contains("retry", StringComparison.OrdinalIgnoreCase));
        Assert.Contains(runnerLines, l => l.Message.Contains("completed", StringComparison.Ordinal));
        Assert.All(runnerLines, l => Assert.Equal(jobId, l.Scope.GetValueOrDefault("JobId")));
    }
}
