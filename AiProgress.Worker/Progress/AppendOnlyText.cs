namespace AiProgress.Worker.Progress;

/// <summary>
/// A job's text, only ever appended to, whose prefixes can be handed out without a copy: characters once written
/// are never written again (a growth copies into a new array and leaves the old one as it was), so a prefix stays
/// what it was while more is appended. The row write takes the whole text twice a second per job; as a string each
/// time that was most of what the worker allocated at thousands of jobs. Not thread-safe: the caller locks.
/// </summary>
public sealed class AppendOnlyText(string initial)
{
    private char[] _chars = initial.Length == 0 ? new char[256] : initial.ToCharArray(0, initial.Length);
    private int _length = initial.Length;

    public int Length => _length;

    public void Append(string piece)
    {
        if (_length + piece.Length > _chars.Length)
        {
            var grown = new char[Math.Max(_chars.Length * 2, _length + piece.Length)];
            _chars.AsSpan(0, _length).CopyTo(grown);
            _chars = grown;
        }

        piece.CopyTo(_chars.AsSpan(_length));
        _length += piece.Length;
    }

    /// <summary>The text so far; it does not change when more is appended.</summary>
    public ReadOnlyMemory<char> Prefix() => _chars.AsMemory(0, _length);

    public string Substring(int offset) => offset >= _length ? "" : new string(_chars, offset, _length - offset);
}
