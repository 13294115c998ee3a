using System.Net.Http.Json;
using System.Text.Json;
using AiProgress.Testing;
using StackExchange.Redis;

namespace AiProgress.Benchmarks.Report;

/// <summary>
/// The system the report measures: private redis-server and MariaDB, the scripted Ollama in this process, and the
/// real API and worker each as a process of its own (so /proc tells their CPU and memory apart). The API has its
/// own database user, so its reads are counted apart from the worker's.
/// </summary>
internal sealed partial class ReportSystem : IAsyncDisposable
{
    public const string ApiKey = "aiprogress-benchmark-key-0123456789abcdef";
    public const string ApiUser = "report_api";
    public const int WorkerSlots = 3000;

    private string _workerDatabase = null!;
    private string _apiDatabase = null!;
    private ServerProcess? _api;
    private ServerProcess? _worker;

    public RedisServer Redis { get; private set; } = null!;
    public MariaDbServer MariaDb { get; private set; } = null!;
    public ScriptedOllama Ollama { get; private set; } = null!;
    public ConnectionMultiplexer Admin { get; private set; } = null!;
    public Uri ApiUrl { get; private set; } = null!;
    public HttpClient Client { get; private set; } = null!;
    public bool ForcePolling { get; private set; }

    public int ApiPid => _api!.ServerPid;

    /// <summary>What the worker and the API logged (warnings and worse), for a case that went wrong.</summary>
    public string ServiceLogs => $"worker:\n{_worker?.Output}\napi:\n{_api?.Output}";
    public int WorkerPid => _worker!.ServerPid;

    public static async Task<ReportSystem> StartAsync()
    {
        var system = new ReportSystem
        {
            Redis = await RedisServer.StartNewAsync(),
            MariaDb = await MariaDbServer.StartPrivateAsync(durable: true),
            Ollama = await ScriptedOllama.StartAsync(),
        };
        system.Admin = await ConnectionMultiplexer.ConnectAsync(system.Redis.ConnectionString + ",allowAdmin=true");
        system._workerDatabase = await system.MariaDb.CreateDatabaseAsync("report");
        system._apiDatabase = await system.MariaDb.CreateUserAsync(system._workerDatabase, ApiUser);
        await system.StartWorkerAsync();
        await system.StartApiAsync(forcePolling: false);
        return system;
    }

    public Task<List<string>> CreateJobsAsync(int count, int maxTokens) => CreateJobsAsync(count, _ => maxTokens);

    /// <summary>Creates <paramref name="count"/> jobs, job i with <paramref name="maxTokens"/>(i) (the scripted server writes that many).</summary>
    public async Task<List<string>> CreateJobsAsync(int count, Func<int, int> maxTokens)
    {
        var ids = new System.Collections.Concurrent.ConcurrentBag<string>();
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, cancellationToken) =>
        {
            using var response = await Client.PostAsJsonAsync("/api/v1/ai/generation", new { prompt = $"report job {i}", max_tokens = maxTokens(i) }, cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"create failed: {(int)response.StatusCode} {body}");
            ids.Add(JsonDocument.Parse(body).RootElement.GetProperty("job_id").GetString()!);
        });
        return [.. ids];
    }

    public async Task<long> RowsUpdatedAsync() => (await MariaDb.StatusAsync("Handler_update"))["Handler_update"];

    public Task<long> ApiSelectsAsync() => MariaDb.SelectsByAsync(ApiUser);

    /// <summary>CPU time so far of each process that runs on this machine for the benchmark.</summary>
    public Dictionary<string, TimeSpan> CpuTimes(ServerProcess? loadGenerator) => new()
    {
        ["api"] = ProcStat.CpuTime(ApiPid),
        ["worker"] = ProcStat.CpuTime(WorkerPid),
        ["redis"] = ProcStat.CpuTime(Redis.ServerPid),
        ["mariadb"] = ProcStat.CpuTime(MariaDb.ServerPid),
        ["loadgen"] = loadGenerator is null ? TimeSpan.Zero : ProcStat.CpuTime(loadGenerator.ServerPid),
        ["scripted ollama + benchmark"] = ProcStat.CpuTime(Environment.ProcessId),
    };

    /// <summary>
    /// Waits until the API and the worker are idle (together under 5 % of a core over half a second, at most 20 s):
    /// the runtime tiers up hot code in the background after a case, and that JIT work would otherwise land in the next.
    /// </summary>
    public async Task WaitUntilQuietAsync()
    {
        await CompactRedisLogAsync();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            var before = ProcStat.CpuTime(ApiPid) + ProcStat.CpuTime(WorkerPid);
            await Task.Delay(500);
            if ((ProcStat.CpuTime(ApiPid) + ProcStat.CpuTime(WorkerPid) - before).TotalMilliseconds < 25) return;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client?.Dispose();
        if (_api is not null) await _api.DisposeAsync();
        if (_worker is not null) await _worker.DisposeAsync();
        if (Admin is not null) await Admin.DisposeAsync();
        if (Ollama is not null) await Ollama.DisposeAsync();
        if (Redis is not null) await Redis.DisposeAsync();
        if (MariaDb is not null) await MariaDb.DisposeAsync();
    }
}
