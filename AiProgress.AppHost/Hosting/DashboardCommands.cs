using System.Net.Http.Headers;
using System.Net.Http.Json;

namespace AiProgress.AppHost.Hosting;

public static class DashboardCommands
{
    /// <summary>
    /// A "Create demo job" button on the API in the dashboard: one click queues a short story, whose trace and
    /// metrics then appear. It calls the API as a script would, with an API key the AppHost generates.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithDemoJobCommand(this IResourceBuilder<ProjectResource> api)
    {
        // The API refuses keys shorter than 32 characters at start; the default password length is 22.
        var key = new ParameterResource("demo-api-key", defaultValue => defaultValue!.GetDefaultValue(), secret: true)
        {
            Default = new GenerateParameterDefault { MinLength = 40, Special = false },
        };
        return api
            .WithEnvironment("Api__ApiKeys__0", ReferenceExpression.Create($"{key}"))
            .WithHttpCommand("/api/v1/ai/generation", "Create demo job", endpointName: "http", commandName: "create-demo-job",
                commandOptions: new HttpCommandOptions
                {
                    Method = HttpMethod.Post,
                    Description = "Queue a 200-token story; watch its trace under Traces.",
                    IconName = "Play",
                    PrepareRequest = async context =>
                    {
                        context.Request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await key.GetValueAsync(context.CancellationToken));
                        context.Request.Content = JsonContent.Create(new { prompt = "Once upon a time, a little robot", max_tokens = 200 });
                    },
                });
    }

    /// <summary>Links that say what they are in the dashboard's resource list: the API, its OpenAPI page and the UI.</summary>
    public static IResourceBuilder<ProjectResource> WithApiLinks(this IResourceBuilder<ProjectResource> api, bool development) =>
        api.WithUrls(context =>
        {
            foreach (var url in context.Urls)
            {
                url.DisplayText = "API";
            }

            var openApi = context.Urls.FirstOrDefault()?.Url;
            if (openApi is not null)
            {
                context.Urls.Add(new ResourceUrlAnnotation { Url = openApi.TrimEnd('/') + (development ? "/scalar" : "/openapi/v1.json"), DisplayText = "OpenAPI" });
            }
        });
}
