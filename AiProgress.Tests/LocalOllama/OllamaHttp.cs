using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AiProgress.Tests.LocalOllama;

/// <summary>Raw HTTP against the server, to see Ollama's wire format exactly as a client gets it.</summary>
internal static class OllamaHttp
{
    public static TimeSpan Timeout => LocalOllamaServer.Timeout;

    /// <summary>A /api/generate body; options are set only when given.</summary>
    public static JsonObject Generate(string prompt, int? numPredict = null, double? temperature = 0, long? seed = 42, bool? stream = null, string[]? stop = null)
    {
        var body = new JsonObject { ["model"] = TestModel.Name, ["prompt"] = prompt };
        if (stream is { } s)
        {
            body["stream"] = s;
        }
        body["options"] = Options(numPredict, temperature, seed, stop);
        return body;
    }

    public static JsonObject Chat(IEnumerable<(string Role, string Content)> messages, int? numPredict = null, double? temperature = 0, long? seed = 42, bool? stream = null)
    {
        var body = new JsonObject
        {
            ["model"] = TestModel.Name,
            ["messages"] = new JsonArray(messages.Select(m => (JsonNode)new JsonObject { ["role"] = m.Role, ["content"] = m.Content }).ToArray()),
        };
        if (stream is { } s)
        {
            body["stream"] = s;
        }
        body["options"] = Options(numPredict, temperature, seed, stop: null);
        return body;
    }

    private static JsonObject Options(int? numPredict, double? temperature, long? seed, string[]? stop)
    {
        var options = new JsonObject();
        if (numPredict is { } n)
        {
            options["num_predict"] = n;
        }
        if (temperature is { } t)
        {
            options["temperature"] = t;
        }
        if (seed is { } sd)
        {
            options["seed"] = sd;
        }
        if (stop is not null)
        {
            options["stop"] = new JsonArray(stop.Select(x => (JsonNode)JsonValue.Create(x)).ToArray());
        }
        return options;
    }

    public static Task<JsonReply> PostAsync(HttpClient http, string path, JsonNode body) => PostAsync(http, path, body.ToJsonString());

    public static async Task<JsonReply> PostAsync(HttpClient http, string path, string json)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await http.PostAsync(path, content).WaitAsync(Timeout);
        return await JsonReply.ReadAsync(response);
    }

    public static async Task<JsonReply> GetAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(path).WaitAsync(Timeout);
        return await JsonReply.ReadAsync(response);
    }

    /// <summary>Streams a request to its end and returns every NDJSON line, parsed.</summary>
    public static async Task<StreamedReply> StreamAsync(HttpClient http, string path, JsonNode body)
    {
        await using var call = new StreamingCall(http, path, body);
        var response = await call.ResponseAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var lines = await call.ReadToEndAsync();
        return new StreamedReply(response.Content.Headers.ContentType?.MediaType, lines, call.Elapsed);
    }
}

internal sealed record JsonReply(HttpStatusCode Status, string? MediaType, string Text)
{
    public JsonElement Json => JsonDocument.Parse(Text).RootElement.Clone();

    public static async Task<JsonReply> ReadAsync(HttpResponseMessage response) =>
        new(response.StatusCode, response.Content.Headers.ContentType?.MediaType, await response.Content.ReadAsStringAsync().WaitAsync(OllamaHttp.Timeout));
}

internal sealed record StreamedReply(string? MediaType, IReadOnlyList<JsonElement> Lines, TimeSpan Elapsed)
{
    public JsonElement Final => Lines[^1];

    public IEnumerable<JsonElement> Pieces => Lines.Take(Lines.Count - 1);

    /// <summary>The concatenated "response" (generate) or "message.content" (chat) of every line.</summary>
    public string Text => string.Concat(Lines.Select(TextOf));

    public static string TextOf(JsonElement line) =>
        line.TryGetProperty("response", out var response) ? response.GetString() ?? ""
        : line.TryGetProperty("message", out var message) ? message.GetProperty("content").GetString() ?? ""
        : "";
}

/// <summary>
/// One streamed request that the test controls: the response arrives once the server starts
/// answering (after it got a sequence), and disconnecting aborts it as a client going away would.
/// </summary>
internal sealed class StreamingCall : IAsyncDisposable
{
    private readonly CancellationTokenSource _cancel = new(TimeSpan.FromSeconds(60));
    private readonly Task<HttpResponseMessage> _response;
    private readonly long _started = Stopwatch.GetTimestamp();
    private StreamReader? _reader;

    public StreamingCall(HttpClient http, string path, JsonNode body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        _response = SendAsync(http, request);
    }

    /// <summary>Stopwatch timestamp at which the response headers arrived.</summary>
    public long? AnsweredAt { get; private set; }

    public bool IsAnswered => _response.IsCompleted;

    public TimeSpan Elapsed => Stopwatch.GetElapsedTime(_started);

    private async Task<HttpResponseMessage> SendAsync(HttpClient http, HttpRequestMessage request)
    {
        using (request)
        {
            var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, _cancel.Token);
            AnsweredAt = Stopwatch.GetTimestamp();
            return response;
        }
    }

    public Task<HttpResponseMessage> ResponseAsync() => _response.WaitAsync(OllamaHttp.Timeout);

    /// <summary>The next NDJSON line, or null at the end of the stream.</summary>
    public async Task<JsonElement?> ReadLineAsync()
    {
        if (_reader is null)
        {
            var response = await ResponseAsync();
            _reader = new StreamReader(await response.Content.ReadAsStreamAsync(_cancel.Token).WaitAsync(OllamaHttp.Timeout));
        }
        var line = await _reader.ReadLineAsync(_cancel.Token).AsTask().WaitAsync(OllamaHttp.Timeout);
        return line is null ? null : JsonDocument.Parse(line).RootElement.Clone();
    }

    public async Task<List<JsonElement>> ReadToEndAsync()
    {
        var lines = new List<JsonElement>();
        while (await ReadLineAsync() is { } line)
        {
            lines.Add(line);
        }
        return lines;
    }

    /// <summary>Goes away mid-request, as a client that closes its connection.</summary>
    public void Disconnect()
    {
        _cancel.Cancel();
        _reader?.Dispose();
        if (_response.IsCompletedSuccessfully)
        {
            _response.Result.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        Disconnect();
        try
        {
            (await _response.WaitAsync(OllamaHttp.Timeout)).Dispose();
        }
        catch (Exception ex) when (ex is OperationCanceledException or HttpRequestException or IOException)
        {
            // Disconnected before the answer came: nothing to dispose.
        }
        _cancel.Dispose();
    }
}
