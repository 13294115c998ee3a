using System.Buffers;
using System.Text;

namespace AiProgress.Benchmarks.Report;

/// <summary>
/// A lean SSE reader for thousands of streams in one process: one pooled buffer per stream, no string per line or
/// field, only `event:` and `data:` kept (ids, retry and comments are skipped).
/// </summary>
internal sealed class SseFrameReader(Stream body) : IDisposable
{
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(4096);
    private readonly ArrayBufferWriter<byte> _data = new(512);
    private readonly byte[] _type = new byte[32];
    private int _typeLength;
    private int _start;
    private int _end;

    /// <summary>Reads until the stream ends, handing each complete event to <paramref name="onFrame"/>; it returns false to stop.</summary>
    public async Task ReadAllAsync(Func<SseFrameReader, bool> onFrame, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (_end == _buffer.Length)
            {
                Compact();
            }

            var read = await body.ReadAsync(_buffer.AsMemory(_end), cancellationToken);
            if (read == 0)
            {
                return;
            }

            _end += read;
            if (!DrainLines(onFrame))
            {
                return;
            }
        }
    }

    /// <summary>The last complete event's type (e.g. "text") and data, for the handler.</summary>
    public ReadOnlySpan<byte> Type => _type.AsSpan(0, _typeLength);
    public ReadOnlySpan<byte> Data => _data.WrittenSpan;

    public string TypeName => Encoding.UTF8.GetString(Type);

    private bool DrainLines(Func<SseFrameReader, bool> onFrame)
    {
        while (true)
        {
            var pending = _buffer.AsSpan(_start, _end - _start);
            var newline = pending.IndexOf((byte)'\n');
            if (newline < 0)
            {
                return true;
            }

            var line = pending[..newline];
            if (line.Length > 0 && line[^1] == (byte)'\r') line = line[..^1];
            _start += newline + 1;
            if (line.IsEmpty)
            {
                if (_data.WrittenCount > 0 || _typeLength > 0)
                {
                    var go = onFrame(this);
                    _data.ResetWrittenCount();
                    _typeLength = 0;
                    if (!go) return false;
                }

                continue;
            }

            if (line.StartsWith("data:"u8))
            {
                if (_data.WrittenCount > 0) _data.Write("\n"u8);
                _data.Write(TrimOneSpace(line[5..]));
            }
            else if (line.StartsWith("event:"u8))
            {
                var type = TrimOneSpace(line[6..]);
                _typeLength = Math.Min(type.Length, _type.Length);
                type[.._typeLength].CopyTo(_type);
            }
        }
    }

    private static ReadOnlySpan<byte> TrimOneSpace(ReadOnlySpan<byte> value) => value.Length > 0 && value[0] == (byte)' ' ? value[1..] : value;

    private void Compact()
    {
        var pending = _end - _start;
        if (_start == 0)
        {
            // One line longer than the buffer: grow it.
            var bigger = ArrayPool<byte>.Shared.Rent(_buffer.Length * 2);
            _buffer.AsSpan(0, pending).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = bigger;
        }
        else
        {
            _buffer.AsSpan(_start, pending).CopyTo(_buffer);
        }

        _start = 0;
        _end = pending;
    }

    public void Dispose() => ArrayPool<byte>.Shared.Return(_buffer);
}
