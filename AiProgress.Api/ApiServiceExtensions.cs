using AiProgress.Jobs;
using System.Text.Json;
using AiProgress.Api.Clients;
using AiProgress.Api.Generation;
using AiProgress.Api.Health;
using AiProgress.Api.Live;
using AiProgress.Api.Models;
using AiProgress.Jobs.Data;
using AiProgress.Jobs.Events;
using AiProgress.Jobs.Queue;
using AiProgress.Api.Http;
using AiProgress.Api.Limits;
using AiProgress.Api.Retention;

namespace AiProgress.Api;

public static class ApiServiceExtensions
{
    public const string WebCorsPolicy = "web";

    public static IHostApplicationBuilder AddGenerationApi(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ApiOptions>()
            .BindConfiguration(ApiOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        builder.AddJobsInfrastructure();
        builder.Services.AddSingleton<JobService>();
        builder.Services.AddSingleton<JobFeeds>();
        builder.Services.AddSingleton<SseProgressHandler>();
        builder.Services.AddSingleton<StallWatch>();
        builder.Services.AddSingleton<QueueThroughput>();
        builder.Services.AddExceptionHandler<DependencyOutageHandler>();
        builder.Services.AddHealthChecks().AddCheck<WorkersHealthCheck>("workers", tags: ["ready"]);
        builder.Services.AddSingleton<StreamLimiter>();
        builder.Services.AddHostedService<StreamLeaseRenewal>();
        builder.Services.AddSingleton<ApiKeyRing>();
        builder.Services.AddSingleton<IdentityCookie>();
        builder.Services.AddSingleton<NewIdentityLimiter>();
        builder.Services.AddSingleton<JobAdmission>();
        builder.Services.AddSingleton<JobRemoval>();
        builder.Services.AddSingleton<RetentionSweeper>();
        // Not AddHostedService(factory): its TryAddEnumerable drops a second factory-made hosted service.
        builder.Services.AddSingleton<IHostedService>(services => services.GetRequiredService<RetentionSweeper>());
        builder.AddHttpHardening();
        builder.Services.AddSingleton<LlmServerModels>();
        builder.Services.AddMemoryCache();
        builder.Services.AddHttpClient(LlmServerModels.HttpClientName, client =>
            client.BaseAddress = new Uri(builder.Configuration["Ollama:Endpoint"] ?? "http://ollama"));

        builder.Services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        });
        builder.Services.AddOpenApi();
        builder.Services.AddCors(cors => cors.AddPolicy(WebCorsPolicy, policy =>
        {
            var origin = builder.Configuration[$"{ApiOptions.SectionName}:WebOrigin"];
            if (!string.IsNullOrEmpty(origin))
            {
                policy.WithOrigins(origin).AllowCredentials().AllowAnyHeader().WithMethods("GET", "POST", "DELETE");
            }
        }));
        builder.Services.AddCreateRateLimits();
        return builder;
    }
}
