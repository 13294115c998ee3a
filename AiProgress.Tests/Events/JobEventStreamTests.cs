using AiProgress.Jobs;
using AiProgress.Jobs.Events;
using AiProgress.Testing;
using AiProgress.Tests.Infrastructure;
using StackExchange.Redis;

namespace AiProgress.Tests.Events;

/// <summary>The append script on a real redis-server: the note's previous id, the expiry and the fence.</summary>
public sealed class JobEventStreamTests : IAsyncLifetime
{
    private static readonly (string, string) Text = (JobEventTypes.Text, """{"offset":0,"text":"x"}""");
    private RedisServer _redis = null!;
    private ConnectionMultiplexer _connection = null!;
    private JobEventStream _events = null!;

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartNewAsync();
        _connection = await ConnectionMultiplexer.ConnectAsync(_redis.ConnectionString);
        _events = new JobEventStream(_connection);
    }

    public async Task DisposeAsync()
    {
        await _connection.DisposeAsync();
        await _redis.DisposeAsync();
    }

    private IDatabase Db => _connection.GetDatabase();

    private async Task<JobEventNote> NoteOfAsync(string jobId, Func<Task> append)
    {
        var notes = await _connection.GetSubscriber().SubscribeAsync(RedisKeys.JobEventsAppended(jobId));
        await append();
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        var message = await notes.ReadAsync(patience.Token);
        await notes.UnsubscribeAsync();
        Assert.True(JobEventNote.TryParse(((ReadOnlyMemory<byte>)message.Message).Span, out var note), $"not a note: {message.Message}");
        return note;
    }

    [Fact]
    public async Task An_append_after_its_own_last_one_names_it_as_previous_and_leaves_the_expiry_as_it_was()
    {
        var first = await _events.AppendAfterAsync("j1", [Text], StreamTail.Unknown, attempt: 1);
        Assert.NotNull(first);
        Assert.Equal(1, first.Value.Length);
        var ttl = await Db.KeyTimeToLiveAsync(RedisKeys.JobEvents("j1"));
        Assert.True(ttl > TimeSpan.FromHours(23), $"expiry after the first append: {ttl}");

        // A mark the next append would overwrite if it set the expiry again.
        await Db.KeyExpireAsync(RedisKeys.JobEvents("j1"), TimeSpan.FromSeconds(500));
        StreamTail? second = null;
        var lookUpsBefore = await RedisCommandStats.CallsAsync(_redis.ConnectionString, "xrevrange");
        var note = await NoteOfAsync("j1", async () => second = await _events.AppendAfterAsync("j1", [Text, Text], first.Value, attempt: 1));

        // Its cost: the entry before is not looked up (that copies the whole entry into Lua).
        Assert.Equal(lookUpsBefore, await RedisCommandStats.CallsAsync(_redis.ConnectionString, "xrevrange"));

        Assert.Equal(first.Value.LastId, note.Previous);
        Assert.Equal(2, note.Events.Count);
        Assert.Equal(new StreamTail(note.Events[^1].Id, 3), second);
        Assert.True(await Db.KeyTimeToLiveAsync(RedisKeys.JobEvents("j1")) <= TimeSpan.FromSeconds(500));
    }

    [Fact]
    public async Task When_another_append_came_in_between_the_note_names_the_entry_truly_before()
    {
        var mine = await _events.AppendAfterAsync("j2", [Text], StreamTail.Unknown);
        Assert.True(await _events.AppendAsync("j2", JobEvents.Cancelled()));
        var between = (await _events.ReadAfterAsync("j2", mine!.Value.LastId)).Single();

        var note = await NoteOfAsync("j2", () => _events.AppendAfterAsync("j2", [Text], mine.Value));

        // The stale position is not trusted: a watcher that missed the cancel's note sees the gap and reads it.
        Assert.Equal(between.Id, note.Previous);
    }

    [Fact]
    public async Task A_stream_Redis_lost_is_started_again_with_its_expiry()
    {
        var mine = await _events.AppendAfterAsync("j3", [Text, Text], StreamTail.Unknown);
        await Db.KeyDeleteAsync(RedisKeys.JobEvents("j3"));

        StreamTail? after = null;
        var note = await NoteOfAsync("j3", async () => after = await _events.AppendAfterAsync("j3", [Text], mine!.Value));

        Assert.Equal("", note.Previous);
        Assert.Equal(1, after!.Value.Length);
        Assert.True(await Db.KeyTimeToLiveAsync(RedisKeys.JobEvents("j3")) > TimeSpan.FromHours(23));
    }

    [Fact]
    public async Task The_terminal_append_sets_the_shorter_expiry_even_after_a_known_position()
    {
        var mine = await _events.AppendAfterAsync("j4", [Text], StreamTail.Unknown);
        await _events.AppendAfterAsync("j4", [(JobEventTypes.Complete, """{"status":"completed"}""")], mine!.Value, terminal: true);

        var ttl = await Db.KeyTimeToLiveAsync(RedisKeys.JobEvents("j4"));
        Assert.True(ttl <= JobEventStream.RetentionAfterEnd && ttl > JobEventStream.RetentionAfterEnd - TimeSpan.FromMinutes(1), $"expiry {ttl}");
    }

    [Fact]
    public async Task An_attempt_that_no_longer_runs_the_job_appends_nothing()
    {
        var mine = await _events.AppendAfterAsync("j5", [Text], StreamTail.Unknown, attempt: 1);
        await Db.HashSetAsync(RedisKeys.JobRun("j5"), "attempt", 2);

        Assert.Null(await _events.AppendAfterAsync("j5", [Text], mine!.Value, attempt: 1));
        Assert.False(await _events.AppendAsync("j5", Text, attempt: 1));
        Assert.NotNull(await _events.AppendAfterAsync("j5", [Text], mine.Value, attempt: 2));
        Assert.Equal(2, (await _events.ReadAfterAsync("j5", null)).Count);
    }
}
