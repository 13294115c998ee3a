namespace AiProgress.Jobs.Events;

/// <summary>
/// The contract's one rule for merging a <c>text</c> event into the text a reader holds (the browser's
/// <c>mergeText</c> is the same rule; both are checked against <c>text-merge-cases.json</c>): a delta at an
/// offset within the text replaces everything from there on, except that an overlap that agrees changes
/// nothing; a delta beyond the end is a gap, and the text stays as it is.
/// </summary>
public static class TextMerge
{
    public readonly record struct Result(string Text, bool Gap);

    public static Result Apply(string current, int offset, string delta)
    {
        if (offset > current.Length || offset < 0)
        {
            return new Result(current, Gap: true);
        }

        var overlap = Math.Min(current.Length - offset, delta.Length);
        var agrees = string.CompareOrdinal(current, offset, delta, 0, overlap) == 0;
        return agrees
            ? new Result(current + delta[overlap..], Gap: false)
            : new Result(string.Concat(current.AsSpan(0, offset), delta), Gap: false);
    }
}
