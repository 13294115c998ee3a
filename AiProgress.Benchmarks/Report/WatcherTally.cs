using System.Text.Json;

namespace AiProgress.Benchmarks.Report;

/// <summary>
/// What one SSE watcher saw, without keeping its text: how far its text reaches, the stamps of the scripted tokens
/// in it (each "t&lt;microseconds&gt; " on the shared monotonic clock), their lags, and whether it all joined up.
/// </summary>
internal sealed class WatcherTally
{
    public int TextLength { get; private set; }
    public int Tokens { get; private set; }
    public int Gaps { get; private set; }
    public int Overlaps { get; private set; }
    public bool OutOfOrder { get; private set; }
    public int? CompletionTokens { get; private set; }
    public string? Terminal { get; private set; }
    public bool Connected { get; set; }
    public bool Failed { get; set; }
    private long _lastStamp;

    public bool Intact => Terminal == "complete" && Gaps == 0 && Overlaps == 0 && !OutOfOrder && CompletionTokens == Tokens;

    /// <summary>Tokens the server wrote that never reached this watcher (from the complete event's count).</summary>
    public int TokensLost => Math.Max(0, (CompletionTokens ?? Tokens) - Tokens);

    /// <summary>Takes one event; false once it was the last.</summary>
    public bool Take(ReadOnlySpan<byte> type, ReadOnlySpan<byte> data, long receivedMicros, LagSamples lags)
    {
        Connected = true;
        if (type.SequenceEqual("text"u8))
        {
            TakeText(data, receivedMicros, lags);
            return true;
        }

        if (type.SequenceEqual("complete"u8))
        {
            Terminal = "complete";
            var json = new Utf8JsonReader(data);
            while (json.Read())
            {
                if (json.TokenType == JsonTokenType.PropertyName && json.ValueTextEquals("completion_tokens"u8) && json.Read())
                {
                    CompletionTokens = json.GetInt32();
                }
            }

            return false;
        }

        if (type.SequenceEqual("error"u8) || type.SequenceEqual("timeout"u8))
        {
            Terminal = type.SequenceEqual("error"u8) ? "error" : "timeout";
            return false;
        }

        return true;
    }

    private void TakeText(ReadOnlySpan<byte> data, long receivedMicros, LagSamples lags)
    {
        var json = new Utf8JsonReader(data);
        int offset = -1;
        string? delta = null;
        var reset = false;
        while (json.Read())
        {
            if (json.TokenType != JsonTokenType.PropertyName) continue;
            if (json.ValueTextEquals("offset"u8) && json.Read()) offset = json.GetInt32();
            else if (json.ValueTextEquals("delta"u8) && json.Read()) delta = json.GetString();
            else if (json.ValueTextEquals("reset"u8) && json.Read()) reset = json.TokenType == JsonTokenType.True;
        }

        if (reset)
        {
            TextLength = 0;
            Tokens = 0;
            _lastStamp = 0;
        }

        if (offset > TextLength) Gaps++;
        else if (offset < TextLength) Overlaps++;
        delta ??= "";
        TextLength = Math.Max(TextLength, offset) + delta.Length;

        long newest = 0;
        foreach (var stamp in Stamps(delta))
        {
            Tokens++;
            // Equal stamps are fine: a server catching up on its schedule writes two tokens within a microsecond.
            if (stamp < _lastStamp) OutOfOrder = true;
            _lastStamp = stamp;
            newest = Math.Max(newest, stamp);
            lags.Token((receivedMicros - stamp) / 1000.0);
        }

        if (newest > 0)
        {
            lags.Newest((receivedMicros - newest) / 1000.0, Tokens, newest);
        }
    }

    /// <summary>The stamps of "t123 t456 " without a regex or a string per token.</summary>
    private static IEnumerable<long> Stamps(string text)
    {
        var stamps = new List<long>(4);
        long value = 0;
        var inStamp = false;
        foreach (var c in text)
        {
            if (c == 't') { inStamp = true; value = 0; }
            else if (inStamp && c is >= '0' and <= '9') value = value * 10 + (c - '0');
            else if (inStamp && c == ' ') { stamps.Add(value); inStamp = false; }
            else inStamp = false;
        }

        return stamps;
    }
}

/// <summary>One watcher's lags of every token and of each event's newest token, in milliseconds.</summary>
internal sealed class LagSamples
{
    public List<double> TokenLags { get; } = [];

    /// <summary>Each newest-token lag with its token's stamp (µs on the shared clock): when in the window the lags came.</summary>
    public List<(long StampMicros, double Ms)> NewestLags { get; } = [];

    /// <summary>The newest-token lags by how many tokens the watcher had then: which of a job's tokens wait longest.</summary>
    public Dictionary<int, List<double>> NewestByToken { get; } = [];

    public void Token(double ms) => TokenLags.Add(ms);

    public void Newest(double ms, int tokens, long stampMicros)
    {
        NewestLags.Add((stampMicros, ms));
        if (!NewestByToken.TryGetValue(tokens, out var list)) NewestByToken[tokens] = list = [];
        list.Add(ms);
    }
}
