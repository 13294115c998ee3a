using AiProgress.Tests.Infrastructure;
using System.Diagnostics;
using AiProgress.LocalOllama.Telemetry;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using OllamaSharp;

namespace AiProgress.Tests.LocalOllama;

/// <summary>
/// AiProgress.LocalOllama in memory (TestServer), serving the test model with the given settings.
/// GenerationStats is only the marker that names the server's assembly; another test project
/// may have its own Program class.
/// </summary>
public sealed class LocalOllamaFactory(IReadOnlyDictionary<string, string> settings) : WebApplicationFactory<GenerationStats>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("LocalOllama:Models:0:Path", TestModel.Path);
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }
    }
}

/// <summary>One running server per configuration, shared by the tests of a collection.</summary>
public abstract class LocalOllamaServer : IAsyncLifetime
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly LocalOllamaFactory _factory;

    protected LocalOllamaServer(IReadOnlyDictionary<string, string> settings) => _factory = new LocalOllamaFactory(settings);

    public HttpClient Http { get; private set; } = null!;

    public GenerationStats Stats => _factory.Services.GetRequiredService<GenerationStats>();

    public IServiceProvider Services => _factory.Services;

    /// <summary>An OllamaSharp client over the in-memory server, as the worker would use it.</summary>
    public OllamaApiClient Ollama()
    {
        var http = _factory.CreateClient();
        http.Timeout = Timeout;
        return new OllamaApiClient(http, TestModel.Name);
    }

    public Task InitializeAsync()
    {
        // Starts the host: the model loads here, not in the first test.
        Http = _factory.CreateClient();
        Http.Timeout = Timeout;
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await _factory.DisposeAsync();
    }

    /// <summary>Waits until no sequence runs and no request waits, so that a test starts from a quiet server.</summary>
    public Task WaitUntilIdleAsync() =>
        Eventually.TrueAsync(() => Stats.ActiveSequences == 0 && Stats.QueuedRequests == 0,
            () => $"the server is still busy: {Stats.ActiveSequences} active, {Stats.QueuedRequests} queued");
}

/// <summary>Two sequences at once, no pacing: the configuration of most tests.</summary>
public sealed class DefaultServer() : LocalOllamaServer(new Dictionary<string, string>
{
    ["LocalOllama:NumParallel"] = "2",
    ["LocalOllama:MaxQueue"] = "64",
    ["LocalOllama:MaxTokensPerSecond"] = "0",
});

/// <summary>As <see cref="DefaultServer"/>, but a generated BOS does not end the answer: the model writes story after story.</summary>
public sealed class EndlessStoriesServer() : LocalOllamaServer(new Dictionary<string, string>
{
    ["LocalOllama:NumParallel"] = "1",
    ["LocalOllama:MaxTokensPerSecond"] = "0",
    ["LocalOllama:Models:0:StopAtBos"] = "false",
});

/// <summary>Two sequences at once, two waiting, 50 tokens a second each: long streams that stay cheap.</summary>
public sealed class PacedPairServer() : LocalOllamaServer(new Dictionary<string, string>
{
    ["LocalOllama:NumParallel"] = "2",
    ["LocalOllama:MaxQueue"] = "2",
    ["LocalOllama:MaxTokensPerSecond"] = PacedTokensPerSecond.ToString(System.Globalization.CultureInfo.InvariantCulture),
})
{
    public const double PacedTokensPerSecond = 50;
}

/// <summary>One sequence at a time, 50 tokens a second: who holds the only slot is easy to see.</summary>
public sealed class SingleSlotServer() : LocalOllamaServer(new Dictionary<string, string>
{
    ["LocalOllama:NumParallel"] = "1",
    ["LocalOllama:MaxQueue"] = "4",
    ["LocalOllama:MaxTokensPerSecond"] = "50",
});

/// <summary>
/// Every test that runs a server is in this one collection, so they run one after another: timing
/// assertions do not compete for the two cores, and hosts do not start side by side.
/// </summary>
[CollectionDefinition(Name)]
public sealed class LocalOllamaCollection : ICollectionFixture<DefaultServer>, ICollectionFixture<EndlessStoriesServer>, ICollectionFixture<PacedPairServer>, ICollectionFixture<SingleSlotServer>
{
    public const string Name = "LocalOllama server";
}
