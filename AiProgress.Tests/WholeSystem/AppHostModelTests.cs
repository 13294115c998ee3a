using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;

namespace AiProgress.Tests.WholeSystem;

/// <summary>
/// The AppHost's model in each mode, built but not started: container mode cannot run on a machine without a
/// container engine, so its images, tags, volumes, environment, references and health checks are asserted here.
/// </summary>
public class AppHostModelTests : IAsyncLifetime
{
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("aiprogress-model-").FullName;

    private async Task<IDistributedApplicationTestingBuilder> BuildModelAsync(string mode) =>
        await DistributedApplicationTestingBuilder.CreateAsync<Projects.AiProgress_AppHost>(
            [$"AppHost:Mode={mode}", $"AppHost:DataDirectory={_dataDirectory}"]);

    [Fact]
    public async Task The_page_gets_the_dashboards_OTLP_HTTP_endpoint_for_its_own_telemetry_only_when_there_is_one()
    {
        // Run-mode values of the whole model would wait for endpoints that are only allocated at start, so the
        // extension is applied to a resource of its own.
        static async Task<Dictionary<string, string>> WebEnvironmentAsync(params string[] args)
        {
            var builder = DistributedApplication.CreateBuilder(args);
            var web = AiProgress.AppHost.Hosting.ViteAppExtensions.WithBrowserTelemetry(builder.AddExecutable("web", "node", "."));
            return await RunEnvironmentAsync(web.Resource).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        }

        var web = await WebEnvironmentAsync("ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL=http://localhost:19081");
        Assert.Equal("http://localhost:19081", web["VITE_OTEL_EXPORTER_OTLP_ENDPOINT"]);
        Assert.Equal(web["OTEL_EXPORTER_OTLP_ENDPOINT"], web["VITE_OTEL_EXPORTER_OTLP_ENDPOINT"]);
        Assert.Equal("http/protobuf", web["OTEL_EXPORTER_OTLP_PROTOCOL"]);
        Assert.Equal(web["OTEL_SERVICE_NAME"], web["VITE_OTEL_SERVICE_NAME"]);

        var grpcOnly = await WebEnvironmentAsync("ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL=http://localhost:19080");
        Assert.False(grpcOnly.ContainsKey("VITE_OTEL_EXPORTER_OTLP_ENDPOINT"), string.Join(", ", grpcOnly.Keys));
    }

    [Fact]
    public async Task Container_mode_uses_the_redis_mysql_and_ollama_images_with_volumes_and_readiness_checks()
    {
        await using var builder = await BuildModelAsync("containers");
        var resources = builder.Resources.ToDictionary(r => r.Name);

        var cache = ContainerImage(resources["cache"]);
        Assert.EndsWith("redis", cache.Image);
        Assert.Contains(resources["cache"].Annotations.OfType<ContainerMountAnnotation>(), m => m.Source == "aiprogress-redis" && m.Type == ContainerMountType.Volume);

        var db = ContainerImage(resources["db"]);
        Assert.Equal(("library/mysql", "8.4"), (db.Image, db.Tag));
        Assert.Contains(resources["db"].Annotations.OfType<ContainerMountAnnotation>(), m => m.Source == "aiprogress-mysql-data" && m.Target == "/var/lib/mysql");
        var dbEnvironment = await PublishedEnvironmentAsync(resources["db"]);
        Assert.Equal("aiprogress", dbEnvironment["MYSQL_DATABASE"]);
        Assert.Equal("{db-password.value}", dbEnvironment["MYSQL_ROOT_PASSWORD"]);
        Assert.True(Assert.IsType<AiProgress.AppHost.Hosting.MySqlContainerResource>(resources["db"]).Password.Secret);
        Assert.Contains(resources["db"].Annotations.OfType<HealthCheckAnnotation>(), h => h.Key == "db-ready");
        Assert.Contains(resources["db"].Annotations.OfType<EndpointAnnotation>(), e => e.TargetPort == 3306);

        var ollama = ContainerImage(resources["ollama"]);
        Assert.Equal(("ollama/ollama", "0.12.6"), (ollama.Image, ollama.Tag));
        Assert.Contains(resources["ollama"].Annotations.OfType<ContainerMountAnnotation>(), m => m.Source == "aiprogress-ollama-models" && m.Target == "/root/.ollama");
        Assert.Contains(resources["ollama"].Annotations.OfType<HealthCheckAnnotation>(), h => h.Key == "ollama-model-present");
        Assert.Contains(resources["ollama"].Annotations.OfType<EndpointAnnotation>(), e => e.TargetPort == 11434);
        var ollamaEnvironment = await PublishedEnvironmentAsync(resources["ollama"]);
        Assert.Equal("qwen2.5:0.5b", ollamaEnvironment["OLLAMA_MODEL"]);

        Assert.All(new[] { "cache", "db", "ollama" }, name => Assert.IsAssignableFrom<ContainerResource>(resources[name]));
        foreach (var name in new[] { "cache", "db", "ollama" })
        {
            var runtimeArgs = await ContainerRuntimeArgumentsAsync(resources[name]);
            Assert.Equal(["--restart", "unless-stopped"], runtimeArgs);
        }

        var cacheArgs = await PublishedArgumentsAsync(resources["cache"]);
        Assert.Contains("--appendonly", cacheArgs);
        Assert.Equal("yes", cacheArgs[Array.IndexOf(cacheArgs, "--appendonly") + 1]);
        Assert.False(resources.ContainsKey("db-init"), "no local data directory to initialise in container mode");
        await AssertServicesAreWiredAsync(resources, defaultModel: "qwen2.5:0.5b");
    }

    [Fact]
    public async Task Local_mode_runs_redis_server_mariadbd_and_the_LLamaSharp_server_as_processes()
    {
        await using var builder = await BuildModelAsync("local");
        var resources = builder.Resources.ToDictionary(r => r.Name);

        Assert.DoesNotContain(builder.Resources, r => r is ContainerResource);
        Assert.EndsWith("redis-server", ((ExecutableResource)resources["cache"]).Command);
        Assert.EndsWith("mariadbd", ((ExecutableResource)resources["db"]).Command);
        var dbArgs = await PublishedArgumentsAsync(resources["db"]);
        Assert.Contains("--bind-address=127.0.0.1", dbArgs);
        Assert.Contains(dbArgs, a => a.StartsWith($"--datadir={_dataDirectory}", StringComparison.Ordinal));
        Assert.Contains(resources["db"].Annotations.OfType<WaitAnnotation>(), w => w.Resource.Name == "db-init" && w.WaitType == WaitType.WaitForCompletion);
        Assert.Contains(resources["cache"].Annotations.OfType<HealthCheckAnnotation>(), h => h.Key == "cache-ready");
        Assert.Contains(resources["db"].Annotations.OfType<HealthCheckAnnotation>(), h => h.Key == "db-ready");
        var ollamaEnvironment = await PublishedEnvironmentAsync(resources["ollama"]);
        Assert.EndsWith("stories260K.gguf", ollamaEnvironment["LocalOllama__Models__0__Path"]);
        Assert.True(File.Exists(ollamaEnvironment["LocalOllama__Models__0__Path"]), "the shared model is where the AppHost looks");

        await AssertServicesAreWiredAsync(resources, defaultModel: "stories260K");
    }

    private static async Task AssertServicesAreWiredAsync(Dictionary<string, IResource> resources, string defaultModel)
    {
        foreach (var service in new[] { "worker", "api" })
        {
            var waits = resources[service].Annotations.OfType<WaitAnnotation>().Select(w => w.Resource.Name).ToHashSet();
            Assert.Superset(new HashSet<string> { "cache", "db", "ollama" }, waits);
            var environment = await PublishedEnvironmentAsync(resources[service]);
            Assert.Equal("{cache.connectionString}", environment["ConnectionStrings__cache"]);
            Assert.Equal("{db.connectionString}", environment["ConnectionStrings__db"]);
            Assert.Contains("ollama", environment["services__ollama__http__0"]);
            Assert.Contains(resources[service].Annotations.OfType<HealthCheckAnnotation>(), h => h.Key.Contains("health", StringComparison.Ordinal));
        }

        Assert.Contains(resources["api"].Annotations.OfType<ResourceCommandAnnotation>(), c => c.Name == "create-demo-job");
        Assert.All(new[] { "cache", "db", "ollama", "worker", "api", "web" },
            name => Assert.Contains(resources[name].Annotations, a => a is AiProgress.AppHost.Hosting.SupervisedAnnotation));
        Assert.Equal(2, Assert.Single(resources["worker"].Annotations.OfType<ReplicaAnnotation>()).Replicas);
        var api = await PublishedEnvironmentAsync(resources["api"]);
        Assert.Equal(defaultModel, api["Api__DefaultModel"]);
        Assert.Contains(resources["web"].Annotations.OfType<WaitAnnotation>(), w => w.Resource.Name == "api");
        Assert.Contains(resources["web"].Annotations.OfType<EndpointAnnotation>(), e => e.IsExternal && e.UriScheme == "http");
        var web = await PublishedEnvironmentAsync(resources["web"]);
        Assert.Contains("api", web["services__api__http__0"]);
    }

    // The manifest view ("{cache.connectionString}") is what "wired" means without starting anything; its
    // successor API (ExecutionConfigurationBuilder) needs a running execution context.
#pragma warning disable CS0618
    private static ValueTask<Dictionary<string, string>> PublishedEnvironmentAsync(IResource resource) =>
        ((IResourceWithEnvironment)resource).GetEnvironmentVariableValuesAsync(DistributedApplicationOperation.Publish);

    // OTLP variables exist only when running (a published manifest has no dashboard).
    private static ValueTask<Dictionary<string, string>> RunEnvironmentAsync(IResource resource) =>
        ((IResourceWithEnvironment)resource).GetEnvironmentVariableValuesAsync(DistributedApplicationOperation.Run);

    private static ValueTask<string[]> PublishedArgumentsAsync(IResource resource) =>
        ((IResourceWithArgs)resource).GetArgumentValuesAsync(DistributedApplicationOperation.Publish);
#pragma warning restore CS0618

    private static async Task<List<string>> ContainerRuntimeArgumentsAsync(IResource resource)
    {
        var args = new List<object>();
        foreach (var callback in resource.Annotations.OfType<ContainerRuntimeArgsCallbackAnnotation>())
        {
            await callback.Callback(new ContainerRuntimeArgsCallbackContext(args));
        }

        return args.Select(a => a.ToString()!).ToList();
    }

    private static ContainerImageAnnotation ContainerImage(IResource resource) =>
        Assert.Single(resource.Annotations.OfType<ContainerImageAnnotation>());

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        try { Directory.Delete(_dataDirectory, recursive: true); } catch (IOException) { }
        return Task.CompletedTask;
    }
}
