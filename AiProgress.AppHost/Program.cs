using Microsoft.Extensions.Hosting;
using AiProgress.AppHost.Hosting;

var builder = DistributedApplication.CreateBuilder(args);
var mode = builder.ResolveHostingMode();
builder.Services.AddHostedService<StartupReporter>();
builder.Services.AddOptions<RestartPolicy>().BindConfiguration(RestartPolicy.SectionName);
builder.Services.AddHostedService<ResourceSupervisor>();
var dataRoot = DataDirectory.Resolve(builder);

var cache = builder.AddCache("cache", mode, dataRoot).WithRestartOnFailure();
var db = builder.AddJobsDatabase("db", mode, dataRoot).WithRestartOnFailure();
var (ollama, model) = builder.AddLlmServer("ollama", mode);
ollama.WithRestartOnFailure();

builder.AddProject<Projects.AiProgress_Worker>("worker", launchProfileName: null)
    // Two by default, so that one crash never halts the queue.
    .WithReplicas(builder.Configuration.GetValue("AppHost:WorkerReplicas", 2))
    .WithRestartOnFailure()
    .WithHttpEndpoint(name: "http")
    .WithHttpHealthCheck("/health")
    .WithReference(cache).WaitFor(cache)
    .WithReference(db).WaitFor(db)
    .WithReference(ollama.GetEndpoint("http")).WaitFor(ollama);

var api = builder.AddProject<Projects.AiProgress_Api>("api", launchProfileName: null)
    .WithHttpEndpoint(port: builder.Configuration.GetValue<int?>("AppHost:ApiPort"), name: "http")
    .WithHttpHealthCheck("/health")
    .WithEnvironment("Api__DefaultModel", model)
    // Without a launch profile a project runs as Production; the AppHost's environment (Development from
    // the README's profile) decides, so the interactive OpenAPI page is there in development only.
    .WithEnvironment("ASPNETCORE_ENVIRONMENT", builder.Environment.EnvironmentName)
    .WithDemoJobCommand()
    .WithRestartOnFailure()
    .WithApiLinks(builder.Environment.IsDevelopment())
    .WithReference(cache).WaitFor(cache)
    .WithReference(db).WaitFor(db)
    .WithReference(ollama.GetEndpoint("http")).WaitFor(ollama);

var web = builder.AddViteApp("web", "../AiProgress.Web", builder.Configuration.GetValue<int?>("AppHost:WebPort"))
    .WithUrls(context => context.Urls.ForEach(url => url.DisplayText = "Web UI"))
    .WithBrowserTelemetry()
    .WithRestartOnFailure()
    .WithReference(api).WaitFor(api);

api.WithEnvironment("Api__WebOrigin", web.GetEndpoint("http"));

builder.Build().Run();
