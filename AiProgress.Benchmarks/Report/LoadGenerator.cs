using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using AiProgress.Benchmarks.Pipeline;
using AiProgress.Testing;

namespace AiProgress.Benchmarks.Report;

/// <summary>
/// The hidden `loadgen` subcommand: SSE watchers in a process of their own, so the API's CPU and memory are its own.
/// One HttpClient over one SocketsHttpHandler for every connection and a lean frame reader, so 5,000 streams cost
/// little here. Says "all connected" on stdout once every watcher has its first event (or failed), then writes its figures
/// (lags, intact streams) as JSON to --out when every stream has ended.
/// </summary>
internal static class LoadGenerator
{
    public const string AllConnected = "loadgen: all connected";

    public static async Task<int> RunAsync(BenchmarkArgs args)
    {
        var api = new Uri(args.String("api") ?? throw new ArgumentException("--api"));
        var key = args.String("key") ?? throw new ArgumentException("--key");
        var jobs = await File.ReadAllLinesAsync(args.String("jobs") ?? throw new ArgumentException("--jobs"));
        var perJob = args.Int("watchers-per-job", 1);
        var output = args.String("out") ?? throw new ArgumentException("--out");
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(args.Int("timeout-s", 300)));

        using var client = new HttpClient(new SocketsHttpHandler
        {
            UseCookies = false,
            MaxConnectionsPerServer = int.MaxValue,
            ConnectTimeout = TimeSpan.FromSeconds(30),
            AutomaticDecompression = System.Net.DecompressionMethods.None,
        }) { BaseAddress = api, Timeout = Timeout.InfiniteTimeSpan };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);

        // Connects in waves, so the API's accept queue never overflows (a dropped SYN costs a 1 s retry).
        using var connecting = new SemaphoreSlim(100);
        var watchers = jobs.Where(j => j.Length > 0).SelectMany(job => Enumerable.Range(0, perJob).Select(_ => (job, tally: new WatcherTally(), lags: new LagSamples()))).ToArray();
        var connected = 0;
        var pauses = new InstrumentPauses();
        var clock = Stopwatch.StartNew();
        var runs = watchers.Select(w => Task.Run(() => WatchAsync(client, w.job, w.tally, w.lags, connecting, () =>
        {
            if (Interlocked.Increment(ref connected) == watchers.Length)
            {
                pauses.Settle();
                Console.WriteLine($"{AllConnected} ({watchers.Length} in {clock.ElapsedMilliseconds} ms)");
            }
        }, deadline.Token))).ToArray();
        await Task.WhenAll(runs);
        var (collections, pausedMs) = pauses.SinceSettled();

        var tokenLags = watchers.SelectMany(w => w.lags.TokenLags).ToList();
        var newestSamples = watchers.SelectMany(w => w.lags.NewestLags).ToList();
        var newestLags = newestSamples.Select(s => s.Ms).ToList();
        var result = new JsonObject
        {
            ["watchers"] = watchers.Length,
            ["connected"] = watchers.Count(w => w.tally.Connected),
            ["failed"] = watchers.Count(w => w.tally.Failed),
            ["completed"] = watchers.Count(w => w.tally.Terminal == "complete"),
            ["intact"] = watchers.Count(w => w.tally.Intact),
            ["text_gaps"] = watchers.Sum(w => w.tally.Gaps),
            ["text_overlaps"] = watchers.Sum(w => w.tally.Overlaps),
            ["out_of_order"] = watchers.Count(w => w.tally.OutOfOrder),
            ["count_mismatch"] = watchers.Count(w => w.tally.Terminal == "complete" && w.tally.CompletionTokens != w.tally.Tokens),
            ["tokens_received"] = watchers.Sum(w => (long)w.tally.Tokens),
            ["tokens_lost"] = watchers.Sum(w => (long)w.tally.TokensLost),
            ["token_lag_samples"] = tokenLags.Count,
            ["token_lag_p50"] = Stats.Percentile(tokenLags, 50),
            ["token_lag_p99"] = Stats.Percentile(tokenLags, 99),
            ["newest_lag_samples"] = newestLags.Count,
            ["newest_lag_p50"] = Stats.Percentile(newestLags, 50),
            ["newest_lag_p99"] = Stats.Percentile(newestLags, 99),
            ["newest_lag_by_token"] = NewestByToken(watchers.Select(w => w.lags)),
            ["newest_lag_by_second"] = NewestBySecond(newestSamples),
            ["cpu_ms"] = (long)Process.GetCurrentProcess().TotalProcessorTime.TotalMilliseconds,
            // Its own collections while it measured (it is set up to make none: see InstrumentPauses).
            ["gc_collections"] = collections,
            ["gc_pause_ms"] = pausedMs,
            ["no_gc_region_mb"] = pauses.RegionBytes / 1_000_000,
        };
        await File.WriteAllTextAsync(output, result.ToJsonString());
        return 0;
    }

    /// <summary>"token: p50/p99" for the first 20 token counts: which of a job's tokens wait longest.</summary>
    private static string NewestByToken(IEnumerable<LagSamples> lags)
    {
        var merged = new SortedDictionary<int, List<double>>();
        foreach (var (tokens, list) in lags.SelectMany(l => l.NewestByToken))
        {
            if (!merged.TryGetValue(tokens, out var all)) merged[tokens] = all = [];
            all.AddRange(list);
        }

        return string.Join(", ", merged.Take(20).Select(p => $"#{p.Key} {Stats.Percentile(p.Value, 50):F0}/{Stats.Percentile(p.Value, 99):F0}"));
    }

    /// <summary>
    /// Per second of the tokens' stamps: {start_us, p99}. Whether a p99 is set by a few bad seconds (a pause, a stall)
    /// or spread over the window; the report lines the seconds up with the services' collections.
    /// </summary>
    private static JsonArray NewestBySecond(List<(long StampMicros, double Ms)> all)
    {
        if (all.Count == 0) return [];
        var start = all.Min(s => s.StampMicros);
        return new JsonArray([.. all.GroupBy(s => (s.StampMicros - start) / 1_000_000).OrderBy(g => g.Key).Select(g =>
            (JsonNode)new JsonObject
            {
                ["start_us"] = start + g.Key * 1_000_000,
                ["p99"] = Math.Round(Stats.Percentile(g.Select(s => s.Ms).ToList(), 99), 1),
            })]);
    }

    private static async Task WatchAsync(HttpClient client, string jobId, WatcherTally tally, LagSamples lags, SemaphoreSlim connecting,
        Action onConnected, CancellationToken cancellationToken)
    {
        var holding = true;
        await connecting.WaitAsync(cancellationToken);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/ai/generation/{jobId}/progress");
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                tally.Failed = true;
                return;
            }

            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            using var reader = new SseFrameReader(body);
            await reader.ReadAllAsync(frame =>
            {
                var more = tally.Take(frame.Type, frame.Data, MicroClock.NowMicros, lags);
                if (holding)
                {
                    holding = false;
                    connecting.Release();
                    onConnected();
                }

                return more;
            }, cancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or OperationCanceledException)
        {
            tally.Failed = true;
        }
        finally
        {
            if (holding)
            {
                // Never connected: it counts as settled, so the benchmark does not wait for it.
                connecting.Release();
                onConnected();
            }
        }
    }
}
