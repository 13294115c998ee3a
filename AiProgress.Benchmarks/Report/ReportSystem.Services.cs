using System.Net.Http.Headers;
using AiProgress.Testing;

namespace AiProgress.Benchmarks.Report;

/// <summary>The worker and the API as processes of their own, started against the private Redis, MariaDB and scripted Ollama.</summary>
internal sealed partial class ReportSystem
{
    private Dictionary<string, string?> Common(string database) => new()
    {
        ["ConnectionStrings:cache"] = Redis.ConnectionString,
        ["ConnectionStrings:db"] = database,
        ["Ollama:Endpoint"] = Ollama.Url,
        ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "",
        ["Logging:LogLevel:Default"] = "Warning",
        ["environment"] = "Production",
    };

    private async Task StartWorkerAsync()
    {
        var settings = Common(_workerDatabase);
        settings["Worker:MaxConcurrentJobs"] = WorkerSlots.ToString(System.Globalization.CultureInfo.InvariantCulture);
        _worker = ServiceProcess.StartWorker(settings, out var url, PassedOn("BENCH_WORKER_"));
        await WaitAliveAsync(_worker, url);
    }

    /// <summary>(Re)starts the API; with <paramref name="forcePolling"/> every stream polls the row as the seed did.</summary>
    public async Task StartApiAsync(bool forcePolling)
    {
        if (_api is not null)
        {
            Client.Dispose();
            await _api.DisposeAsync();
        }

        var settings = new Dictionary<string, string?>([.. Common(_apiDatabase), .. ApiLimits.OutOfTheWay()])
        {
            ["Api:DefaultModel"] = ScriptedOllama.ModelName,
            ["Api:ApiKeys:0"] = ApiKey,
            ["Api:ForcePolling"] = forcePolling ? "true" : "false",
        };
        _api = ServiceProcess.StartApi(settings, out var url, PassedOn("BENCH_API_"));
        ApiUrl = url;
        ForcePolling = forcePolling;
        Client = new HttpClient(new SocketsHttpHandler { UseCookies = false }) { BaseAddress = url };
        Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiKey);
        await WaitAliveAsync(_api, url);
    }

    /// <summary>
    /// This process's variables named <paramref name="prefix"/>X, passed on to the service as X: for runtime settings
    /// tried by hand (say <c>BENCH_API_DOTNET_GCgen0size</c>) without touching the services' own configuration.
    /// </summary>
    private static Dictionary<string, string> PassedOn(string prefix) =>
        Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .Where(e => ((string)e.Key).StartsWith(prefix, StringComparison.Ordinal))
            .ToDictionary(e => ((string)e.Key)[prefix.Length..], e => (string)e.Value!);

    private static async Task WaitAliveAsync(ServerProcess process, Uri url)
    {
        using var probe = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            if (process.HasExited) throw new InvalidOperationException($"service exited:\n{process.Output}");
            try
            {
                if ((await probe.GetAsync("/alive")).IsSuccessStatusCode) return;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
            }

            if (DateTime.UtcNow > deadline) throw new TimeoutException($"service at {url} not alive:\n{process.Output}");
            await Task.Delay(100);
        }
    }
}
