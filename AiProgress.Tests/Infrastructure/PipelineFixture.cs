using System.Net.Http.Json;
using System.Text.Json;
using AiProgress.Jobs.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace AiProgress.Tests.Infrastructure;

/// <summary>
/// The system minus the browser: a private redis-server, a database on the shared MariaDB, the scripted
/// Ollama server (or the real local model), the real API on Kestrel and one in-process worker.
/// </summary>
public class PipelineFixture : IAsyncLifetime
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    public RedisServer Redis { get; private set; } = null!;
    public MariaDbServer MariaDb { get; private set; } = null!;
    public ScriptedOllama Ollama { get; private set; } = null!;
    public ApiServer Api { get; private set; } = null!;
    public WorkerHost? Worker { get; private set; }
    public string DatabaseConnectionString { get; private set; } = null!;
    public HttpClient Client { get; private set; } = null!;
    public ConnectionMultiplexer RedisConnection { get; private set; } = null!;

    /// <summary>Where the worker and API find Ollama; the scripted server unless a fixture says otherwise.</summary>
    protected virtual string OllamaUrl => Ollama.Url;

    protected virtual string ScriptedModel => ScriptedOllama.ModelName;

    protected virtual string DefaultModel => ScriptedModel;

    protected virtual bool StartWorker => true;

    protected virtual bool PrivateDatabaseServer => false;

    /// <summary>Fast timings, so that faults show in seconds rather than the production minutes.</summary>
    protected virtual Dictionary<string, string?> WorkerSettings() => new()
    {
        ["Worker:MaxConcurrentJobs"] = "4",
        ["Worker:StallTimeout"] = "00:00:03",
        ["Worker:TokenTimeout"] = "00:00:02",
        ["Worker:FirstTokenTimeout"] = "00:00:05",
        ["Worker:RetryBaseDelay"] = "00:00:00.050",
        ["Worker:MaxOllamaRetries"] = "3",
        ["Worker:PollInterval"] = "00:00:00.500",
    };

    /// <summary>How often a quiet job's feed re-reads its row; the API's own default (5 s) unless a fixture says otherwise.</summary>
    protected virtual TimeSpan? DatabaseCheckInterval => null;

    protected virtual Dictionary<string, string?> ApiSettings()
    {
        var settings = new Dictionary<string, string?>(ApiLimits.OutOfTheWay()) { ["Api:DefaultModel"] = DefaultModel };
        if (DatabaseCheckInterval is { } interval)
        {
            settings["Api:DatabaseCheckInterval"] = interval.ToString("c", System.Globalization.CultureInfo.InvariantCulture);
        }

        return settings;
    }

    public Dictionary<string, string?> CommonSettings() => new()
    {
        ["ConnectionStrings:cache"] = Redis.ConnectionString,
        ["ConnectionStrings:db"] = DatabaseConnectionString,
        ["Ollama:Endpoint"] = OllamaUrl,
        ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "",
    };

    public Dictionary<string, string?> WorkerConfiguration() => Merge(CommonSettings(), WorkerSettings());

    public Dictionary<string, string?> ApiConfiguration() => Merge(CommonSettings(), ApiSettings());

    public virtual async Task InitializeAsync()
    {
        Redis = await RedisServer.StartNewAsync();
        MariaDb = PrivateDatabaseServer ? await MariaDbServer.StartPrivateAsync() : await MariaDbServer.GetAsync();
        DatabaseConnectionString = await MariaDb.CreateDatabaseAsync(GetType().Name.ToLowerInvariant());
        Ollama = await ScriptedOllama.StartAsync(ScriptedModel);
        RedisConnection = await ConnectionMultiplexer.ConnectAsync(Redis.ConnectionString + ",abortConnect=false");
        if (StartWorker)
        {
            Worker = await StartWorkerAsync();
        }

        Api = ApiServer.Start(ApiConfiguration());
        Client = Api.CreateBrowserClient();
        // Take the anonymous identity cookie once, so that parallel creates all belong to this one "browser".
        (await Client.GetAsync("/api/v1/ai/generation")).EnsureSuccessStatusCode();
    }

    /// <summary>Another API replica on this fixture's Redis and database, with some settings changed.</summary>
    public ApiServer StartApi(params (string Key, string Value)[] overrides)
    {
        var settings = ApiConfiguration();
        foreach (var (key, value) in overrides) settings[key] = value;
        return ApiServer.Start(settings);
    }

    public Task<WorkerHost> StartWorkerAsync(params (string Key, string Value)[] overrides)
    {
        var settings = WorkerConfiguration();
        foreach (var (key, value) in overrides) settings[key] = value;
        return WorkerHost.StartAsync(settings);
    }

    public async Task<string> CreateJobAsync(string prompt = "Tell me a story", int maxTokens = 50, HttpClient? client = null, string? model = null)
    {
        var response = await (client ?? Client).PostAsJsonAsync("/api/v1/ai/generation", new { prompt, max_tokens = maxTokens, model });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"create failed: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.GetProperty("job_id").GetString()!;
    }

    public async Task<JsonElement> GetStatusAsync(string jobId, HttpClient? client = null)
    {
        var response = await (client ?? Client).GetAsync($"/api/v1/ai/generation/{jobId}/status");
        response.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
    }

    /// <summary>Polls the status until the job is terminal; tests only, the product pushes.</summary>
    public async Task<JsonElement> WaitForTerminalAsync(string jobId, TimeSpan? timeout = null, HttpClient? client = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? Patience);
        while (true)
        {
            var status = await GetStatusAsync(jobId, client);
            if (JobStatus.IsTerminal(status.GetProperty("status").GetString()!)) return status;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"job {jobId} still {status}");
            await Task.Delay(100);
        }
    }

    public async Task<GenerationJob> ReadRowAsync(string jobId)
    {
        var factory = Api.Services.GetRequiredService<IDbContextFactory<JobsDbContext>>();
        await using var db = await factory.CreateDbContextAsync();
        return await db.Jobs.AsNoTracking().SingleAsync(j => j.JobId == jobId);
    }

    public virtual async Task DisposeAsync()
    {
        Client?.Dispose();
        if (Api is not null) await Api.DisposeAsync();
        if (Worker is not null) await Worker.DisposeAsync();
        if (Ollama is not null) await Ollama.DisposeAsync();
        if (RedisConnection is not null) await RedisConnection.DisposeAsync();
        if (Redis is not null) await Redis.DisposeAsync();
        if (PrivateDatabaseServer && MariaDb is not null) await MariaDb.DisposeAsync();
    }

    private static Dictionary<string, string?> Merge(Dictionary<string, string?> first, Dictionary<string, string?> second)
    {
        foreach (var (key, value) in second) first[key] = value;
        return first;
    }
}
