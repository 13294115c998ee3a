using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Buffers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AiProgress.Testing;

/// <summary>
/// An Ollama-protocol server whose every chat call follows a script: what a real model cannot do on demand
/// (exact token rates, stalls, 5xx, a stream cut mid-way). It complements the real local model, never replaces it.
/// The tests and the benchmarks share it.
/// </summary>
public sealed class ScriptedOllama : IAsyncDisposable
{
    public const string ModelName = "scripted";
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<OllamaScript> _nextScripts = new();
    private int _activeStreams;
    private int _abandonedStreams;

    private ScriptedOllama(WebApplication app, string model)
    {
        _app = app;
        Model = model;
    }

    /// <summary>The model this server streams for.</summary>
    public string Model { get; }

    /// <summary>More names /api/tags lists, for an API that validates against this server while a worker uses another.</summary>
    public ConcurrentBag<string> AlsoListed { get; } = [];

    public string Url => _app.Urls.First();

    /// <summary>Used for every call that has no queued script.</summary>
    public OllamaScript DefaultScript { get; set; } = new();

    public ConcurrentQueue<JsonNode> ChatRequests { get; } = new();

    public int ActiveStreams => Volatile.Read(ref _activeStreams);

    /// <summary>Streams whose client went away before the end (a cancel, a timeout).</summary>
    public int AbandonedStreams => Volatile.Read(ref _abandonedStreams);

    public void Enqueue(params OllamaScript[] scripts)
    {
        foreach (var script in scripts) _nextScripts.Enqueue(script);
    }

    public static async Task<ScriptedOllama> StartAsync(string model = ModelName)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<IHostLifetime, QuietLifetime>();
        var app = builder.Build();
        var server = new ScriptedOllama(app, model);
        app.MapGet("/api/version", () => Results.Json(new { version = "0.12.6-scripted" }));
        app.MapGet("/api/tags", () => Results.Json(new
        {
            models = server.AlsoListed.Prepend(server.Model)
                .Select(name => new { name, model = name, size = 1, modified_at = DateTime.UtcNow, details = new { family = "scripted" } }),
        }));
        app.MapPost("/api/chat", server.ChatAsync);
        await app.StartAsync();
        return server;
    }

    private async Task ChatAsync(HttpContext context)
    {
        var request = (await JsonNode.ParseAsync(context.Request.Body))!;
        ChatRequests.Enqueue(request);
        var script = _nextScripts.TryDequeue(out var next) ? next : DefaultScript;
        var model = request["model"]?.GetValue<string>() ?? ModelName;
        if (script.FailWithStatus is { } status)
        {
            context.Response.StatusCode = status;
            await context.Response.WriteAsJsonAsync(new { error = $"scripted failure {status}" });
            return;
        }

        var limit = request["options"]?["num_predict"]?.GetValue<int>() ?? int.MaxValue;
        var count = Math.Min(script.Tokens, limit);
        context.Response.ContentType = "application/x-ndjson";
        await context.Response.StartAsync();
        Interlocked.Increment(ref _activeStreams);
        var aborted = context.RequestAborted;
        try
        {
            await Task.Delay(script.FirstTokenDelay, aborted);
            if (script.StartGate is { } gate) await gate.WaitAsync(aborted);
            if (script.OutOfStep) await Task.Delay(script.Interval * Random.Shared.NextDouble(), aborted);
            var start = MicroClock.NowMicros;
            for (var i = 0; i < count; i++)
            {
                if (i == script.StallAfter) await Task.Delay(Timeout.Infinite, aborted);
                if (i == script.CutAfter) { await Task.Delay(100); context.Abort(); return; }
                var wait = start + (long)(i * script.Interval.TotalMicroseconds) - MicroClock.NowMicros;
                if (wait > 500) await Task.Delay(TimeSpan.FromMicroseconds(wait), aborted);
                await WriteTokenAsync(context, model, script.Content(i));
            }

            await WriteLineAsync(context, new
            {
                model, created_at = DateTime.UtcNow, message = new { role = "assistant", content = "" }, done = true,
                done_reason = count < script.Tokens ? "length" : "stop",
                total_duration = 1_000_000L, load_duration = 1000L,
                prompt_eval_count = script.PromptTokens, prompt_eval_duration = 1000L,
                eval_count = count, eval_duration = (long)(count * script.Interval.TotalMilliseconds * 1_000_000),
            });
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException || aborted.IsCancellationRequested)
        {
            Interlocked.Increment(ref _abandonedStreams);
        }
        finally
        {
            Interlocked.Decrement(ref _activeStreams);
        }
    }

    /// <summary>One token's line, written straight into the response: benchmarks run thousands of streams from this server.</summary>
    private static async Task WriteTokenAsync(HttpContext context, string model, string content)
    {
        var body = context.Response.BodyWriter;
        using (var json = new Utf8JsonWriter(body))
        {
            json.WriteStartObject();
            json.WriteString("model"u8, model);
            json.WriteString("created_at"u8, DateTime.UtcNow);
            json.WriteStartObject("message"u8);
            json.WriteString("role"u8, "assistant"u8);
            json.WriteString("content"u8, content);
            json.WriteEndObject();
            json.WriteBoolean("done"u8, false);
            json.WriteEndObject();
        }

        body.Write("\n"u8);
        await body.FlushAsync(context.RequestAborted);
    }

    private static async Task WriteLineAsync(HttpContext context, object line)
    {
        await context.Response.WriteAsync(JsonSerializer.Serialize(line) + "\n", context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);
    }

    public async ValueTask DisposeAsync()
    {
        using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        await _app.StopAsync(stopping.Token);
        await _app.DisposeAsync();
    }
}
