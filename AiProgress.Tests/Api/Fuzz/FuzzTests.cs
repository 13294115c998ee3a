using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using AiProgress.Jobs.Data;
using AiProgress.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace AiProgress.Tests.Api.Fuzz;

/// <summary>
/// Thousands of generated hostile requests across every endpoint, against the real API on real Redis and MariaDB:
/// no 5xx, the process still answers, and another client's jobs are neither seen nor changed.
/// </summary>
public class FuzzTests(ApiOnlyFixture system, ITestOutputHelper output) : IClassFixture<ApiOnlyFixture>
{
    private const int Seed = 20_261_113;
    private const int ClientRequests = 10_000;
    private const int RawRequests = 600;
    private const int Parallelism = 8;

    [Fact]
    public async Task Ten_thousand_hostile_requests_get_no_5xx_and_touch_no_other_clients_job()
    {
        var settings = system.ApiConfiguration();
        // Streams of queued jobs end quickly, so a fuzzed GET /progress costs a moment, not ten minutes.
        settings["Api:StreamTimeout"] = "00:00:00.300";
        settings["Api:HeartbeatInterval"] = "00:00:00.100";
        await using var api = ApiServer.Start(settings);

        // Arrange: a victim with a queued and a cancelled job, and three fuzzing identities with jobs of their own.
        using var victim = api.CreateBrowserClient();
        var victimIds = new List<string>();
        for (var i = 0; i < 3; i++) victimIds.Add(await system.CreateJobAsync($"victim {i}", maxTokens: 3, client: victim));
        (await victim.PostAsync($"/api/v1/ai/generation/{victimIds[2]}/cancel", null)).EnsureSuccessStatusCode();
        var before = await SnapshotAsync(api, victimIds);

        var cookies = new List<string>();
        var ownIds = new List<string>();
        using var setup = new HttpClient(new SocketsHttpHandler { UseCookies = false }) { BaseAddress = api.BaseAddress };
        for (var i = 0; i < 3; i++)
        {
            using var created = await setup.PostAsJsonAsync("/api/v1/ai/generation", new { prompt = $"fuzzer {i}", max_tokens = 3 });
            cookies.Add(created.Headers.GetValues("Set-Cookie").Single().Split(';')[0]);
            ownIds.Add((await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("job_id").GetString()!);
        }

        using var http = new HttpClient(new SocketsHttpHandler
        {
            UseCookies = false,
            AllowAutoRedirect = false,
            MaxConnectionsPerServer = Parallelism,
            RequestHeaderEncodingSelector = (_, _) => Encoding.Latin1,
        }) { BaseAddress = api.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };

        var statuses = new ConcurrentDictionary<int, int>();
        var failures = new ConcurrentQueue<string>();
        var sent = 0;
        var unsendable = 0;
        var clock = Stopwatch.StartNew();

        // Act
        await Task.WhenAll(Enumerable.Range(0, Parallelism).Select(worker => Task.Run(async () =>
        {
            var requests = new FuzzRequests(new Random(Seed + worker), ownIds, victimIds, cookies);
            for (var i = 0; i < ClientRequests / Parallelism; i++)
            {
                var request = requests.Next();
                using var message = ToMessage(request);
                if (message is null)
                {
                    Interlocked.Increment(ref unsendable);
                    continue;
                }

                Interlocked.Increment(ref sent);
                try
                {
                    using var response = await http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead);
                    var status = (int)response.StatusCode;
                    statuses.AddOrUpdate(status, 1, (_, n) => n + 1);
                    var body = response.Content.Headers.ContentType?.MediaType == "text/event-stream"
                        ? "" : await response.Content.ReadAsStringAsync();
                    if (status >= 500 || body.Contains("   at ", StringComparison.Ordinal) || body.Contains("Password=", StringComparison.OrdinalIgnoreCase))
                    {
                        failures.Enqueue($"{status} for {request.Method} {request.Path}: {body[..Math.Min(body.Length, 300)]}");
                    }

                    if (request.TargetsVictim && status is (>= 200 and < 300) or 409)
                    {
                        failures.Enqueue($"{status} for another client's job: {request.Method} {request.Path}");
                    }
                }
                catch (HttpRequestException ex)
                {
                    failures.Enqueue($"no response for {request.Method} {request.Path}: {ex.Message}");
                }
            }
        })));

        var raw = new Random(Seed);
        var rawStatuses = new ConcurrentDictionary<string, int>();
        await Parallel.ForEachAsync(Enumerable.Range(0, RawRequests).Select(_ => RawFraming.Next(raw, cookies[0])).ToList(),
            new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (request, _) =>
            {
                var status = await RawFraming.SendAsync(api.BaseAddress, request);
                rawStatuses.AddOrUpdate(status?.ToString() ?? "none", 1, (_, n) => n + 1);
                if (status >= 500)
                {
                    failures.Enqueue($"{status} for a raw request: {JsonSerializer.Serialize(request[..Math.Min(request.Length, 300)])}");
                }
            });
        sent += RawRequests;
        var elapsed = clock.Elapsed;

        // Assert
        var report = $"Fuzz: sent {sent} requests ({sent - RawRequests} through HttpClient, {RawRequests} raw; {unsendable} not sendable) " +
            $"in {elapsed.TotalSeconds:0.0} s; statuses {string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}×{s.Value}"))}; " +
            $"raw {string.Join(", ", rawStatuses.OrderBy(s => s.Key).Select(s => $"{s.Key}×{s.Value}"))}";
        output.WriteLine(report);
        Console.WriteLine(report);

        Assert.True(failures.IsEmpty, $"{failures.Count} failures, first: {string.Join("\n", failures.Take(10))}");
        Assert.True(sent >= 10_000, report);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/alive")).StatusCode);
        var afterwards = await system.CreateJobAsync("still up", maxTokens: 3, client: victim);
        Assert.Equal(HttpStatusCode.OK, (await victim.GetAsync($"/api/v1/ai/generation/{afterwards}/status")).StatusCode);
        Assert.Equal(before, await SnapshotAsync(api, victimIds));
    }

    private static HttpRequestMessage? ToMessage(FuzzRequest request)
    {
        if (!Uri.TryCreate(request.Path, UriKind.Relative, out var uri))
        {
            return null;
        }

        var message = new HttpRequestMessage(new HttpMethod(request.Method), uri);
        if (request.Body is not null)
        {
            message.Content = new ByteArrayContent(request.Body);
        }

        foreach (var (name, value) in request.Headers)
        {
            if (!message.Headers.TryAddWithoutValidation(name, value))
            {
                message.Content?.Headers.TryAddWithoutValidation(name, value);
            }
        }

        return message;
    }

    private static async Task<string> SnapshotAsync(ApiServer api, IReadOnlyList<string> jobIds)
    {
        var factory = api.Services.GetRequiredService<IDbContextFactory<JobsDbContext>>();
        await using var db = await factory.CreateDbContextAsync();
        var rows = await db.Jobs.AsNoTracking().Where(j => jobIds.Contains(j.JobId)).OrderBy(j => j.JobId).ToListAsync();
        Assert.Equal(jobIds.Count, rows.Count);
        return JsonSerializer.Serialize(rows);
    }
}
