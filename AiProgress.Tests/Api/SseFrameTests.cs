using System.Text;
using AiProgress.Api.Live;

namespace AiProgress.Tests.Api;

/// <summary>An event's bytes on the wire, encoded once per feed: the fields, every data line, the blank line after.</summary>
public class SseFrameTests
{
    [Fact]
    public void An_event_is_its_id_type_and_data_then_a_blank_line()
    {
        var frame = SseFrame.Event("1765000000000-3", "text", """{"offset":0,"text":"Once"}""");

        Assert.Equal("id: 1765000000000-3\nevent: text\ndata: {\"offset\":0,\"text\":\"Once\"}\n\n", Encoding.UTF8.GetString(frame.Bytes));
    }

    [Fact]
    public void Each_line_of_data_gets_a_field_of_its_own_and_an_event_without_id_has_no_id_field()
    {
        var frame = SseFrame.Event(null, "error", "first\nsecond\n\nlast");

        Assert.Equal("event: error\ndata: first\ndata: second\ndata: \ndata: last\n\n", Encoding.UTF8.GetString(frame.Bytes));
    }

    [Fact]
    public void Text_beyond_ascii_is_encoded_as_utf8_whole()
    {
        // Two-, three- and four-byte characters: the frame's length is worked out before it is written.
        var data = "{\"text\":\"é ✓ 🐉 ñ\"}";
        var frame = SseFrame.Event("2-0", "text", data);

        Assert.Equal($"id: 2-0\nevent: text\ndata: {data}\n\n", Encoding.UTF8.GetString(frame.Bytes));
        Assert.Equal(Encoding.UTF8.GetByteCount($"id: 2-0\nevent: text\ndata: {data}\n\n"), frame.Bytes.Length);
    }
}
