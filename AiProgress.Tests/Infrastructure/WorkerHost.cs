using Microsoft.Extensions.Hosting;
using AiProgress.Jobs.Data;
using AiProgress.Worker;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AiProgress.Tests.Infrastructure;

/// <summary>The real worker, built as its Program builds it, in the test process (so tests can read its services).</summary>
public sealed class WorkerHost : IAsyncDisposable
{
    private WorkerHost(WebApplication app) => App = app;

    public WebApplication App { get; }

    public IServiceProvider Services => App.Services;

    public static async Task<WorkerHost> StartAsync(IDictionary<string, string?> settings, Action<IServiceCollection>? configureServices = null)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.AddServiceDefaults();
        builder.AddGenerationWorker();
        configureServices?.Invoke(builder.Services);
        var app = builder.Build();
        app.MapDefaultEndpoints();
        await app.Services.MigrateJobsDatabaseAsync();
        await app.StartAsync();
        return new WorkerHost(app);
    }

    /// <summary>A graceful stop: jobs in flight are handed back to the queue.</summary>
    public async ValueTask DisposeAsync()
    {
        using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await App.StopAsync(stopping.Token);
        await App.DisposeAsync();
    }
}
