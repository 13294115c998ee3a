using AiProgress.Jobs.Events;
using StackExchange.Redis;

namespace AiProgress.Api.Live;

/// <summary>The feed's notes: each carries the events appended; a missed one is made up by reading the stream.</summary>
public sealed partial class JobFeed
{
    /// <summary>The next note, or null when <paramref name="wait"/> passed first.</summary>
    private async Task<string?> NextNoteAsync(ChannelMessageQueue notes, TimeSpan wait)
    {
        if (notes.TryRead(out var ready))
        {
            return (string?)ready.Message ?? "";
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
            return (string?)(await notes.ReadAsync(_wake.Token)).Message ?? "";
        }
        catch (OperationCanceledException) when (!_stop.IsCancellationRequested)
        {
            return null;
        }
    }

    /// <summary>Passes on the note's events; when a note was missed (or cannot be read), reads the stream instead.</summary>
    private async Task ApplyNoteAsync(string message)
    {
        if (JobEventNote.TryParse(message, out var note))
        {
            var last = _lastStreamId;
            var hasLast = StreamIds.TryParse(last, out var lastId);
            var fresh = note.Events.Where(e => !hasLast || StreamIds.TryParse(e.Id, out var id) && StreamIds.Compare(id, lastId) > 0).ToList();
            if (fresh.Count == 0)
            {
                return;
            }

            if (fresh.Count < note.Events.Count || note.Previous == last)
            {
                PublishFromStream(fresh);
                return;
            }
        }

        ApiTelemetry.FeedGapReads.Add(1);
        PublishFromStream(await _events.ReadAfterAsync(JobId, _lastStreamId.Length == 0 ? null : _lastStreamId, max: int.MaxValue));
    }
}
