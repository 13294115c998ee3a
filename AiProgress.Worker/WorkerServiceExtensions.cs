using AiProgress.Jobs;
using AiProgress.Jobs.Data;
using AiProgress.Jobs.Events;
using AiProgress.Jobs.Queue;
using AiProgress.Worker.Generation;
using AiProgress.Worker.Jobs;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AiProgress.Worker;

public static class WorkerServiceExtensions
{
    /// <summary>The generation worker: queue consumer, progress pump, Ollama client, MySQL and Redis.</summary>
    public static IHostApplicationBuilder AddGenerationWorker(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<WorkerOptions>()
            .BindConfiguration(WorkerOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        builder.AddJobsInfrastructure();
        builder.Services.AddSingleton<ActiveJobs>();
        builder.Services.AddSingleton<WorkerIdentity>();
        builder.Services.AddSingleton<CompletionWrites>();
        builder.Services.AddSingleton<JobEndings>();
        builder.Services.AddSingleton<ExpiredJobs>();
        builder.Services.AddSingleton<Progress.CompletionLengths>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<Progress.CompletionLengths>());
        builder.Services.AddSingleton<JobRunner>();
        builder.Services.AddSingleton<LiveEvents>();
        builder.Services.AddSingleton<TextArrivals>();
        builder.Services.AddSingleton<ProgressRows>();
        builder.Services.AddSingleton<WorkerHeartbeat>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<WorkerHeartbeat>());
        builder.Services.AddSingleton<ProgressPump>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ProgressPump>());
        builder.Services.AddSingleton<QueueConsumer>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<QueueConsumer>());
        builder.Services.AddHealthChecks().AddCheck<QueueConsumerHealthCheck>("queue-consumer", tags: ["ready"]);

        // A generation streams for minutes: no total timeout and no retry handler around it; the worker
        // applies its own per-token timeout and retries (continuing from the text so far).
#pragma warning disable EXTEXP0001 // RemoveAllResilienceHandlers is experimental
        builder.Services.AddSingleton<OllamaGenerationClient>();
        builder.Services.AddSingleton<LlmServerHealth>();
        var connectTimeout = builder.Configuration.GetValue<TimeSpan?>("Worker:LlmConnectTimeout") ?? new WorkerOptions().LlmConnectTimeout;
        builder.Services.AddHttpClient(LlmServerHealth.HttpClientName, client =>
            {
                client.BaseAddress = new Uri(builder.Configuration["Ollama:Endpoint"] ?? "http://ollama");
                client.Timeout = connectTimeout;
            })
            .RemoveAllResilienceHandlers();
        builder.Services.AddHttpClient(OllamaGenerationClient.HttpClientName, client =>
            {
                client.BaseAddress = new Uri(builder.Configuration["Ollama:Endpoint"] ?? "http://ollama");
                client.Timeout = Timeout.InfiniteTimeSpan;
            })
            .RemoveAllResilienceHandlers()
            // A stream left early (cancel, timeout) must close its connection now, not be drained for 2 s:
            // closing is what tells Ollama to stop generating.
            // A server that is not there must show within seconds (connection refused or not accepted).
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { MaxResponseDrainSize = 0, ConnectTimeout = connectTimeout })
            .AddHttpMessageHandler(() => new CancellableResponseHandler());
#pragma warning restore EXTEXP0001
        return builder;
    }
}
