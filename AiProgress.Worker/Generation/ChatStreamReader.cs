using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace AiProgress.Worker.Generation;

/// <summary>One line of Ollama's streamed chat: a piece of text, or the final line with its counts, or an error.</summary>
public readonly record struct ChatLine(string? Content, bool Done, string? DoneReason, int PromptEvalCount, int EvalCount, long EvalDurationNs, string? Error);

/// <summary>
/// Reads Ollama's NDJSON chat stream with asynchronous reads only and one string per token (its text).
/// OllamaSharp checks <c>StreamReader.EndOfStream</c> before each line, a blocking read whenever the buffer is
/// empty, which is after every token: each stream then holds a pool thread, and a worker with thousands of
/// streams starves. It also deserialises every line into objects twice over.
/// </summary>
public sealed class ChatStreamReader(Stream body)
{
    private readonly PipeReader _pipe = PipeReader.Create(body, new StreamPipeReaderOptions(bufferSize: 4096, minimumReadSize: 1024, leaveOpen: true));

    /// <summary>The next line, or null when the stream has ended.</summary>
    // Pooled: one read per token per stream, thousands of streams at once.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<ChatLine?> ReadAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await _pipe.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            var reader = new SequenceReader<byte>(buffer);
            if (reader.TryReadTo(out ReadOnlySequence<byte> line, (byte)'\n'))
            {
                var parsed = Parse(line);
                _pipe.AdvanceTo(reader.Position);
                if (parsed is { } found) return found;
                continue;
            }

            if (result.IsCompleted)
            {
                // A last line without its newline still counts.
                var last = buffer.IsEmpty ? null : Parse(buffer);
                _pipe.AdvanceTo(buffer.End);
                if (last is { } found) return found;
                await _pipe.CompleteAsync();
                return null;
            }

            _pipe.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>Null for a blank line.</summary>
    public static ChatLine? Parse(ReadOnlySequence<byte> line)
    {
        var json = new Utf8JsonReader(line);
        if (!json.Read())
        {
            return null;
        }

        if (json.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("An Ollama stream line is not a JSON object.");
        }

        string? content = null, doneReason = null, error = null;
        var done = false;
        int promptEvalCount = 0, evalCount = 0;
        long evalDuration = 0;
        while (json.Read() && json.TokenType == JsonTokenType.PropertyName)
        {
            if (json.ValueTextEquals("message"u8))
            {
                json.Read();
                content = ReadContent(ref json) ?? content;
            }
            else if (json.ValueTextEquals("done"u8))
            {
                json.Read();
                done = json.TokenType == JsonTokenType.True;
            }
            else if (json.ValueTextEquals("done_reason"u8))
            {
                json.Read();
                doneReason = json.TokenType == JsonTokenType.String ? json.GetString() : null;
            }
            else if (json.ValueTextEquals("prompt_eval_count"u8))
            {
                json.Read();
                promptEvalCount = json.TokenType == JsonTokenType.Number ? json.GetInt32() : 0;
            }
            else if (json.ValueTextEquals("eval_count"u8))
            {
                json.Read();
                evalCount = json.TokenType == JsonTokenType.Number ? json.GetInt32() : 0;
            }
            else if (json.ValueTextEquals("eval_duration"u8))
            {
                json.Read();
                evalDuration = json.TokenType == JsonTokenType.Number ? json.GetInt64() : 0;
            }
            else if (json.ValueTextEquals("error"u8))
            {
                json.Read();
                error = json.TokenType == JsonTokenType.String ? json.GetString() : json.TokenType == JsonTokenType.Null ? null : "error";
            }
            else
            {
                json.Read();
                json.Skip();
            }
        }

        return new ChatLine(content, done, doneReason, promptEvalCount, evalCount, evalDuration, error);
    }

    private static string? ReadContent(ref Utf8JsonReader json)
    {
        if (json.TokenType != JsonTokenType.StartObject)
        {
            json.Skip();
            return null;
        }

        string? content = null;
        while (json.Read() && json.TokenType == JsonTokenType.PropertyName)
        {
            var isContent = json.ValueTextEquals("content"u8);
            json.Read();
            if (isContent && json.TokenType == JsonTokenType.String)
            {
                content = json.GetString();
            }
            else
            {
                json.Skip();
            }
        }

        return content;
    }
}
