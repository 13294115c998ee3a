using System.Buffers;
using System.Text;

namespace AiProgress.Jobs.Lifecycle;

/// <summary>The rows' JSON as pooled characters, the statement's parameter (MySqlConnector takes ReadOnlyMemory&lt;char&gt;).</summary>
internal sealed class PooledJson(char[] chars, int length) : IDisposable
{
    public ReadOnlyMemory<char> Text => chars.AsMemory(0, length);

    public static PooledJson From(ReadOnlySpan<byte> utf8)
    {
        var chars = ArrayPool<char>.Shared.Rent(Encoding.UTF8.GetMaxCharCount(utf8.Length));
        return new PooledJson(chars, Encoding.UTF8.GetChars(utf8, chars));
    }

    public void Dispose() => ArrayPool<char>.Shared.Return(chars);
}
