using AiProgress.Testing;
using System.Net.Http.Json;
using System.Text.Json;
using AiProgress.Api;
using AiProgress.Jobs;
using AiProgress.Jobs.Data;
using AiProgress.Worker;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MySqlConnector;
using StackExchange.Redis;

namespace AiProgress.Benchmarks.Pipeline;

/// <summary>
/// The real API (its own Program, on Kestrel at a random port) and the real worker (built as its Program builds it)
/// in this process, against the benchmark's Redis, MariaDB and scripted Ollama; one browser-like client.
/// </summary>
internal sealed class LiveSystem : IAsyncDisposable
{
    private readonly Dictionary<string, string?> _common;
    private ApiHost _api = null!;
    private WebApplication? _worker;

    private LiveSystem(Dictionary<string, string?> common, ConnectionMultiplexer redis)
    {
        _common = common;
        Redis = redis;
    }

    private const string BenchmarkKey = "aiprogress-benchmark-key-0123456789abcdef";

    public HttpClient Client { get; private set; } = null!;

    /// <summary>What every worker started here logged about jobs it stopped as lost.</summary>
    public WorkerLogCounter WorkerLog { get; } = new();

    /// <summary>The benchmark's own admin connection, for CLIENT LIST and PUBSUB.</summary>
    public ConnectionMultiplexer Redis { get; }

    /// <summary>Redis clients before and after the API started and served its first request.</summary>
    public (int Before, int After) ApiStartClients { get; private set; }

    public static async Task<LiveSystem> StartAsync(string redis, string database, string ollama, int maxConcurrentJobs,
        string defaultModel = ScriptedOllama.ModelName)
    {
        var common = new Dictionary<string, string?>
        {
            ["ConnectionStrings:cache"] = redis,
            ["ConnectionStrings:db"] = database,
            ["Ollama:Endpoint"] = ollama,
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        var system = new LiveSystem(common, await ConnectionMultiplexer.ConnectAsync(redis + ",allowAdmin=true"));
        await system.StartWorkerAsync(maxConcurrentJobs);

        var before = await system.RedisClientsAsync();
        system._api = new ApiHost(new Dictionary<string, string?>([.. common, .. ApiLimits.OutOfTheWay()])
        {
            ["Api:DefaultModel"] = defaultModel,
            // A script's identity: in Production the browser cookie is Secure, which plain HTTP would not send back.
            ["Api:ApiKeys:0"] = BenchmarkKey,
        });
        system._api.UseKestrel(0);
        system._api.StartServer();
        system.Client = system._api.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = true, BaseAddress = system._api.BaseAddress });
        system.Client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", BenchmarkKey);
        // The anonymous identity cookie, once: every later call belongs to this one "browser".
        (await system.Client.GetAsync("/api/v1/ai/generation")).EnsureSuccessStatusCode();
        system.ApiStartClients = (before, await system.RedisClientsAsync());
        return system;
    }

    public async Task StartWorkerAsync(int maxConcurrentJobs)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>(_common)
        {
            ["Worker:MaxConcurrentJobs"] = maxConcurrentJobs.ToString(),
        });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.AddProvider(WorkerLog);
        builder.Logging.AddFilter<WorkerLogCounter>(WorkerLogCounter.Category, LogLevel.Information);
        builder.AddServiceDefaults();
        builder.AddGenerationWorker();
        builder.Services.AddSingleton<IHostLifetime, QuietLifetime>();
        var app = builder.Build();
        app.MapDefaultEndpoints();
        await app.Services.MigrateJobsDatabaseAsync();
        await app.StartAsync();
        _worker = app;
    }

    /// <summary>A graceful stop, as on a deploy: jobs in flight are handed back to the queue.</summary>
    public async Task StopWorkerAsync()
    {
        if (_worker is { } worker)
        {
            _worker = null;
            using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await worker.StopAsync(stopping.Token);
            await worker.DisposeAsync();
        }
    }

    public async Task<string> CreateJobAsync(string prompt, int maxTokens)
    {
        using var response = await Client.PostAsJsonAsync("/api/v1/ai/generation", new { prompt, max_tokens = maxTokens });
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"create failed: {(int)response.StatusCode} {body}");
        }

        return JsonDocument.Parse(body).RootElement.GetProperty("job_id").GetString()!;
    }

    /// <summary>Status and attempt of each job's row, as "completed/1".</summary>
    public async Task<IReadOnlyList<string>> RowStatesAsync(IReadOnlyCollection<string> jobIds)
    {
        var states = new List<string>();
        await using var connection = new MySqlConnection(_common["ConnectionStrings:db"]);
        await connection.OpenAsync();
        foreach (var jobId in jobIds)
        {
            await using var command = new MySqlCommand("SELECT CONCAT(status, '/', attempt) FROM ai_generation_jobs WHERE job_id = @id", connection);
            command.Parameters.AddWithValue("@id", jobId);
            states.Add((string?)await command.ExecuteScalarAsync() ?? "missing");
        }

        return states;
    }

    public async Task<int> RedisClientsAsync() => (await Redis.GetServers()[0].ClientListAsync()).Length;

    /// <summary>Entries left in the job queue stream, and how many of them a worker still holds unacknowledged.</summary>
    public async Task<(long Length, long Pending)> QueueStateAsync()
    {
        var db = Redis.GetDatabase();
        return (await db.StreamLengthAsync(RedisKeys.Queue), (await db.StreamPendingAsync(RedisKeys.Queue, RedisKeys.QueueGroup)).PendingMessageCount);
    }

    /// <summary>How many connections are subscribed to the channel that announces a job's new events.</summary>
    public async Task<long> EventSubscribersAsync(string jobId)
    {
        var reply = (RedisResult[])(await Redis.GetDatabase().ExecuteAsync("PUBSUB", "NUMSUB", RedisKeys.JobEventsAppended(jobId).ToString()))!;
        return (long)reply[1];
    }

    public async ValueTask DisposeAsync()
    {
        Client?.Dispose();
        if (_api is not null) await _api.DisposeAsync();
        await StopWorkerAsync();
        await Redis.DisposeAsync();
    }

    private sealed class ApiHost(IDictionary<string, string?> settings) : WebApplicationFactory<ApiOptions>
    {
        public Uri BaseAddress => new(Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Production");
            foreach (var (key, value) in settings)
            {
                builder.UseSetting(key, value);
            }

            builder.ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
            builder.ConfigureServices(services => services.AddSingleton<IHostLifetime, QuietLifetime>());
        }
    }
}
