using System.Runtime.CompilerServices;
using AiProgress.Jobs.Events;
using StackExchange.Redis;

namespace AiProgress.Api.Live;

/// <summary>The feed's notes: each carries the events appended; a missed one is made up by reading the stream.</summary>
public sealed partial class JobFeed
{
    /// <summary>The next note as it came (its bytes), or null when <paramref name="wait"/> passed first.</summary>
    // Pooled: every feed awaits one per note, thousands of times a second in all.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<RedisValue?> NextNoteAsync(ChannelMessageQueue notes, TimeSpan wait)
    {
        if (notes.TryRead(out var ready))
        {
            return ready.Message;
        }

        if (wait <= TimeSpan.Zero)
        {
            return null;
        }

        // One timer per feed, re-armed for each wait (notes come 20 times a second per job).
        if (_wake is null || !_wake.TryReset())
        {
            _wake?.Dispose();
            _wake = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        }

        _wake.CancelAfter(wait);
        try
        {
            return (await notes.ReadAsync(_wake.Token)).Message;
        }
        catch (OperationCanceledException) when (!_stop.IsCancellationRequested)
        {
            return null;
        }
    }

    /// <summary>Passes on the note's events; when a note was missed (or cannot be read), reads the stream instead.</summary>
    private async Task ApplyNoteAsync(RedisValue message)
    {
        if (!message.IsNull && JobEventNote.TryParse(((ReadOnlyMemory<byte>)message).Span, out var note))
        {
            var last = _lastStreamId;
            var fresh = FirstAfter(note.Events, last);
            if (fresh == note.Events.Count)
            {
                return;
            }

            if (fresh > 0 || note.Previous == last)
            {
                PublishFromStream(note.Events, fresh);
                return;
            }
        }

        ApiTelemetry.FeedGapReads.Add(1);
        PublishFromStream(await _events.ReadAfterAsync(JobId, _lastStreamId.Length == 0 ? null : _lastStreamId, max: int.MaxValue));
    }

    /// <summary>The index of the first event after <paramref name="lastId"/> (a note's events are in stream order).</summary>
    private static int FirstAfter(IReadOnlyList<JobEvent> events, string lastId)
    {
        if (!StreamIds.TryParse(lastId, out var last))
        {
            return 0;
        }

        var i = 0;
        while (i < events.Count && !(StreamIds.TryParse(events[i].Id, out var id) && StreamIds.Compare(id, last) > 0))
        {
            i++;
        }

        return i;
    }
}
