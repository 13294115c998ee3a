using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AiProgress.Benchmarks.Pipeline;

/// <summary>
/// An Ollama-protocol server that streams exactly num_predict tokens at an exact rate (on a fixed schedule, so
/// timer slack never lowers the rate); each token is "t&lt;microseconds&gt; ", the moment it was written.
/// </summary>
internal sealed class ScriptedOllama : IAsyncDisposable
{
    public const string ModelName = "scripted";
    private readonly WebApplication _app;

    private ScriptedOllama(WebApplication app) => _app = app;

    public string Url => _app.Urls.First();

    public double TokensPerSecond { get; set; } = 100;

    /// <summary>"Reading the prompt": nothing is sent for this long.</summary>
    public TimeSpan FirstTokenDelay { get; set; } = TimeSpan.Zero;

    public static async Task<ScriptedOllama> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<IHostLifetime, QuietLifetime>();
        var app = builder.Build();
        var server = new ScriptedOllama(app);
        app.MapGet("/api/version", () => Results.Json(new { version = "0.12.6-scripted" }));
        app.MapGet("/api/tags", () => Results.Json(new
        {
            models = new[] { new { name = ModelName, model = ModelName, size = 1, modified_at = DateTime.UtcNow, details = new { family = "scripted" } } },
        }));
        app.MapPost("/api/chat", server.ChatAsync);
        await app.StartAsync();
        return server;
    }

    private async Task ChatAsync(HttpContext context)
    {
        var request = (await JsonNode.ParseAsync(context.Request.Body))!;
        var model = request["model"]?.GetValue<string>() ?? ModelName;
        var count = request["options"]?["num_predict"]?.GetValue<int>() ?? 20;
        var interval = TimeSpan.FromSeconds(1 / TokensPerSecond);
        context.Response.ContentType = "application/x-ndjson";
        await context.Response.StartAsync();
        var aborted = context.RequestAborted;
        try
        {
            await Task.Delay(FirstTokenDelay, aborted);
            var start = BenchClock.NowMicros;
            for (var i = 0; i < count; i++)
            {
                var wait = start + (long)(i * interval.TotalMicroseconds) - BenchClock.NowMicros;
                if (wait > 500) await Task.Delay(TimeSpan.FromMicroseconds(wait), aborted);
                await WriteLineAsync(context, new { model, created_at = DateTime.UtcNow, message = new { role = "assistant", content = BenchClock.Token(BenchClock.NowMicros) }, done = false });
            }

            await WriteLineAsync(context, new
            {
                model, created_at = DateTime.UtcNow, message = new { role = "assistant", content = "" }, done = true, done_reason = "length",
                total_duration = 1_000_000L, load_duration = 1000L, prompt_eval_count = 7, prompt_eval_duration = 1000L,
                eval_count = count, eval_duration = (long)(count * interval.TotalMilliseconds * 1_000_000),
            });
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException || aborted.IsCancellationRequested)
        {
            // The worker left early (cancel, shutdown): nothing to finish.
        }
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
