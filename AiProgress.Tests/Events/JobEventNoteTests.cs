using System.Text;
using AiProgress.Jobs.Data;
using AiProgress.Jobs.Events;

namespace AiProgress.Tests.Events;

/// <summary>A note read straight from its bytes, and an event's status read without a document.</summary>
public sealed class JobEventNoteTests
{
    [Fact]
    public void A_note_of_two_events_is_read_from_its_bytes_with_text_beyond_ascii_intact()
    {
        var wire = Encoding.UTF8.GetBytes("1-1\n1-2\ntext\n{\"offset\":0,\"delta\":\"héllo 世界 🙂\"}\n1-3\nprogress\n{\"status\":\"processing\"}");

        Assert.True(JobEventNote.TryParse(wire, out var note));

        Assert.Equal("1-1", note.Previous);
        Assert.Equal(
            [new JobEvent("1-2", "text", "{\"offset\":0,\"delta\":\"héllo 世界 🙂\"}"), new JobEvent("1-3", "progress", "{\"status\":\"processing\"}")],
            note.Events);
        // The shared constants, not copies: the API compares and keeps these for every event.
        Assert.Same(JobEventTypes.Text, note.Events[0].Type);
        Assert.Same(JobEventTypes.Progress, note.Events[1].Type);
    }

    [Fact]
    public void A_first_append_has_an_empty_previous_id_and_an_unknown_type_is_kept_as_written()
    {
        Assert.True(JobEventNote.TryParse(Encoding.UTF8.GetBytes("\n5-0\nfuture\n{}"), out var note));

        Assert.Equal("", note.Previous);
        Assert.Equal(new JobEvent("5-0", "future", "{}"), Assert.Single(note.Events));
    }

    [Theory]
    [InlineData("")]
    [InlineData("1-1")]
    [InlineData("1-1\n1-2\ntext")]
    [InlineData("1-1\n1-2\ntext\n{}\n1-3")]
    public void A_message_without_whole_events_is_not_a_note(string message)
    {
        Assert.False(JobEventNote.TryParse(Encoding.UTF8.GetBytes(message), out _));
    }

    [Fact]
    public void The_status_is_found_after_nested_values_and_a_known_one_is_the_shared_constant()
    {
        var status = JobEvents.ReadStatus("""{"percentage":{"status":"queued"},"list":[1,{"status":"x"}],"status":"completed","after":1}""");

        Assert.Same(JobStatus.Completed, status);
    }

    [Theory]
    [InlineData("""{"status":null}""", null)]
    [InlineData("""{"tokens":3}""", null)]
    [InlineData("""{"status":"paused"}""", "paused")]
    public void A_missing_null_or_unknown_status_reads_as_it_is(string data, string? expected)
    {
        Assert.Equal(expected, JobEvents.ReadStatus(data));
    }

    [Fact]
    public void A_status_behind_more_than_a_kilobyte_of_other_data_is_read_from_a_pooled_buffer()
    {
        var data = $$"""{"stalled_reason":"{{new string('é', 2_000)}}","status":"failed"}""";

        Assert.Same(JobStatus.Failed, JobEvents.ReadStatus(data));
    }
}
