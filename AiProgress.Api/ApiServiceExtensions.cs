using AiProgress.Jobs;
using System.Text.Json;
using System.Threading.RateLimiting;
using AiProgress.Api.Clients;
using AiProgress.Api.Generation;
using AiProgress.Api.Health;
using AiProgress.Api.Live;
using AiProgress.Api.Models;
using AiProgress.Jobs.Data;
using AiProgress.Jobs.Events;
using AiProgress.Jobs.Queue;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

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
        builder.Services.AddSingleton<JobEventNotifier>();
        builder.Services.AddSingleton<SseProgressHandler>();
        builder.Services.AddSingleton<StallWatch>();
        builder.Services.AddSingleton<QueueThroughput>();
        builder.Services.AddExceptionHandler<DependencyOutageHandler>();
        builder.Services.AddHealthChecks().AddCheck<WorkersHealthCheck>("workers", tags: ["ready"]);
        builder.Services.AddSingleton<StreamLimiter>();
        builder.Services.AddSingleton<LlmServerModels>();
        builder.Services.AddMemoryCache();
        builder.Services.AddHttpClient(LlmServerModels.HttpClientName, client =>
            client.BaseAddress = new Uri(builder.Configuration["Ollama:Endpoint"] ?? "http://ollama"));

        builder.Services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        });
        builder.Services.AddProblemDetails();
        builder.Services.AddOpenApi();
        builder.Services.AddCors(cors => cors.AddPolicy(WebCorsPolicy, policy =>
        {
            var origin = builder.Configuration[$"{ApiOptions.SectionName}:WebOrigin"];
            if (!string.IsNullOrEmpty(origin))
            {
                policy.WithOrigins(origin).AllowCredentials().AllowAnyHeader().WithMethods("GET", "POST");
            }
        }));
        builder.Services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.AddPolicy(GenerationApi.CreatePolicy, context =>
            {
                var perMinute = context.RequestServices.GetRequiredService<IOptions<ApiOptions>>().Value.CreatePerMinute;
                return RateLimitPartition.GetFixedWindowLimiter(context.GetClientId(), _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = perMinute,
                    Window = TimeSpan.FromMinutes(1),
                    QueueLimit = 0,
                });
            });
            limiter.OnRejected = async (context, cancellationToken) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1);
                context.HttpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString();
                await TypedResults.Problem("Too many jobs were created; try again later.", title: "Too many requests",
                    statusCode: StatusCodes.Status429TooManyRequests).ExecuteAsync(context.HttpContext);
            };
        });
        return builder;
    }
}
