using System.Net;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AiProgress.Tests.WholeSystem;

/// <summary>
/// The real AppHost in local mode, as the README's start command runs it: redis-server, MariaDB, the LLamaSharp
/// Ollama server with the real TinyStories model, worker, API and the Vite dev server, on random ports and a
/// fresh data folder. One per test run; every wait is bounded.
/// </summary>
public sealed class AspireSystemFixture : IAsyncLifetime
{
    public static readonly string[] Resources = ["cache", "db", "ollama", "worker", "api", "web"];
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(4);
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("aiprogress-apphost-").FullName;

    public DistributedApplication App { get; private set; } = null!;
    public TimeSpan StartedIn { get; private set; }
    public Uri ApiUrl { get; private set; } = null!;
    public Uri WebUrl { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var cancellation = new CancellationTokenSource(StartTimeout);
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AiProgress_AppHost>(
        [
            "AppHost:Mode=local",
            $"AppHost:DataDirectory={_dataDirectory}",
            // The 260K model writes ~1,500 tokens/s; paced, a browser can watch (and cancel) a job mid-way.
            "AppHost:DemoTokensPerSecond=30",
            "AppHost:ApiPort=",
            "AppHost:WebPort=",
            "AppHost:OllamaPort=",
        ], cancellation.Token);
        builder.Services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));

        App = await builder.BuildAsync(cancellation.Token);
        await App.StartAsync(cancellation.Token);
        foreach (var resource in Resources)
        {
            await App.ResourceNotifications.WaitForResourceHealthyAsync(resource, cancellation.Token);
        }

        StartedIn = clock.Elapsed;
        ApiUrl = App.GetEndpoint("api", "http");
        WebUrl = App.GetEndpoint("web", "http");
    }

    /// <summary>A client with its own cookie jar: one browser's identity.</summary>
    public HttpClient CreateApiClient() =>
        new(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = ApiUrl, Timeout = TimeSpan.FromSeconds(60) };

    public async Task DisposeAsync()
    {
        if (App is not null)
        {
            using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await App.StopAsync(stopping.Token);
            await App.DisposeAsync();
        }

        try { Directory.Delete(_dataDirectory, recursive: true); } catch (IOException) { }
    }
}

[CollectionDefinition(Name)]
public sealed class AspireSystemCollection : ICollectionFixture<AspireSystemFixture>
{
    public const string Name = "Whole system (AppHost, local mode)";
}
