using System.Diagnostics;
using System.Net;
using AiProgress.Jobs.Data;
using Microsoft.Extensions.Options;
using System.Text.Json;
using OllamaSharp.Models.Exceptions;

namespace AiProgress.Worker.Generation;

/// <summary>
/// One streaming chat call to Ollama for a job (<see cref="ChatRequestBody"/>), read by <see cref="ChatStreamReader"/>:
/// first-token and per-token timeouts, a health probe when the first token is slow, errors sorted into outage,
/// refusal and worth-a-retry.
/// </summary>
public sealed class OllamaGenerationClient(IHttpClientFactory httpClients, LlmServerHealth health, IOptions<WorkerOptions> options)
{
    public const string HttpClientName = "ollama";

    public async Task<GenerationOutcome> StreamAsync(
        GenerationJob job, string textSoFar, int tokensToGenerate, Action<string> onPiece, CancellationToken cancellationToken)
    {
        var http = httpClients.CreateClient(HttpClientName);
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/chat")
        {
            Content = ChatRequestBody.For(job, textSoFar, tokensToGenerate).ToContent(),
        };

        using var activity = WorkerTelemetry.Source.StartActivity($"chat {job.Model}", ActivityKind.Client);
        activity?.SetTag("gen_ai.operation.name", "chat");
        activity?.SetTag("gen_ai.provider.name", "ollama");
        activity?.SetTag("gen_ai.request.model", job.Model);
        activity?.SetTag("gen_ai.request.max_tokens", tokensToGenerate);

        var settings = options.Value;
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        idle.CancelAfter(settings.FirstTokenTimeout);
        using var closeOnCancel = CancellableResponseHandler.CloseBodiesOn(idle.Token);
        var sawToken = false;
        var serverDown = false;
        var requestStarted = Stopwatch.GetTimestamp();
        // No first token for a while: a long prompt, or a server that is not there (a proxy can accept the
        // connection of a dead one and never answer)? Its health endpoint tells within seconds, not minutes.
        var suspicion = Task.Run(async () =>
        {
            await Task.Delay(settings.LlmProbeAfter, idle.Token);
            if (!Volatile.Read(ref sawToken) && !await health.ConfirmUpAsync(idle.Token))
            {
                serverDown = true;
                await idle.CancelAsync();
            }
        }, CancellationToken.None);
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, idle.Token);
            await EnsureSuccessAsync(response, idle.Token);
            await using var body = await response.Content.ReadAsStreamAsync(idle.Token);
            var lines = new ChatStreamReader(body);
            while (await lines.ReadAsync(idle.Token) is { } line)
            {
                if (line.Error is { } error)
                {
                    throw new ResponseError(error);
                }

                if (line.Done)
                {
                    var outcome = new GenerationOutcome(line.DoneReason ?? "stop", line.PromptEvalCount, line.EvalCount,
                        TimeSpan.FromTicks(line.EvalDurationNs / 100));
                    activity?.AddEvent(new ActivityEvent("gen_ai.done"));
                    activity?.SetTag("gen_ai.response.finish_reasons", outcome.DoneReason);
                    activity?.SetTag("gen_ai.usage.input_tokens", outcome.PromptEvalCount);
                    activity?.SetTag("gen_ai.usage.output_tokens", outcome.EvalCount);
                    return outcome;
                }

                if (line.Content is { Length: > 0 } piece)
                {
                    if (!sawToken)
                    {
                        Volatile.Write(ref sawToken, true);
                        activity?.AddEvent(new ActivityEvent("gen_ai.first_token"));
                        WorkerTelemetry.TimeToFirstToken.Record(Stopwatch.GetElapsedTime(requestStarted).TotalSeconds,
                            new KeyValuePair<string, object?>("gen_ai.request.model", job.Model),
                            new KeyValuePair<string, object?>("gen_ai.provider.name", "ollama"));
                    }

                    onPiece(piece);
                    idle.CancelAfter(settings.TokenTimeout);
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or ObjectDisposedException or HttpRequestException
            && idle.IsCancellationRequested)
        {
            // The body was closed under the read: by a cancel or shutdown (the caller's token), by our own timer, or
            // because the server was found down.
            cancellationToken.ThrowIfCancellationRequested();
            if (serverDown)
            {
                throw new LlmUnavailableException("The model server is not answering.", ex);
            }

            activity?.SetStatus(ActivityStatusCode.Error, "timeout");
            throw new OllamaTimeoutException(sawToken ? settings.TokenTimeout : settings.FirstTokenTimeout, !sawToken);
        }
        catch (HttpRequestException ex) when (ex.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError)
        {
            throw new LlmUnavailableException("The model server cannot be reached.", ex);
        }
        catch (HttpRequestException ex) when (ex.StatusCode == HttpStatusCode.ServiceUnavailable)
        {
            // Busy (a full queue answers 503 too) is worth a retry; down is an outage.
            if (!await health.ConfirmUpAsync(cancellationToken))
            {
                throw new LlmUnavailableException("The model server is unavailable.", ex);
            }

            throw;
        }
        catch (HttpRequestException ex) when (ex.StatusCode is { } status && (int)status is >= 400 and < 500 && status != HttpStatusCode.TooManyRequests)
        {
            throw new OllamaRejectedException($"Ollama rejected the request ({(int)status}): {ex.Message}", ex);
        }
        catch (ResponseError ex) when (ex.Message.Contains("not found", StringComparison.OrdinalIgnoreCase))
        {
            throw new OllamaRejectedException(ex.Message, ex);
        }

        finally
        {
            await idle.CancelAsync();
            await suspicion.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (serverDown)
        {
            throw new LlmUnavailableException("The model server is not answering.");
        }

        if (idle.IsCancellationRequested)
        {
            throw new OllamaTimeoutException(sawToken ? settings.TokenTimeout : settings.FirstTokenTimeout, !sawToken);
        }

        // The stream ended without its final "done" line: the connection broke mid-way.
        throw new IOException("Ollama's stream ended before its final message.");
    }

    /// <summary>As OllamaSharp reports a refusal: 400 with Ollama's error text, any other failure by its status.</summary>
    private static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.StatusCode == HttpStatusCode.BadRequest)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            string? error = null;
            try
            {
                error = JsonDocument.Parse(body).RootElement.TryGetProperty("error", out var e) ? e.GetString() : null;
            }
            catch (JsonException)
            {
                // Not Ollama's error shape: the body says it best.
            }

            throw new OllamaException(error ?? body);
        }

        response.EnsureSuccessStatusCode();
    }

    /// <summary>Errors worth another try: the network, 5xx and 429, a stream cut short, an error line mid-stream.</summary>
    public static bool IsTransient(Exception ex) => ex is HttpRequestException or IOException or OllamaException
        && ex is not OllamaRejectedException;
}
