using System.Net.Sockets;
using System.Text;

namespace AiProgress.Tests.Api.Fuzz;

/// <summary>
/// Requests no HTTP client library would send, written to a socket: lying or doubled Content-Length, broken
/// chunking, bad request lines and header lines. Returns the status code, or null when the server (rightly)
/// waited for bytes that never came, or closed the connection without a response.
/// </summary>
public static class RawFraming
{
    private const string Body = """{"prompt":"framed","max_tokens":3}""";

    public static string Next(Random random, string cookie)
    {
        var path = random.Next(3) switch { 0 => "/api/v1/ai/generation", 1 => $"/api/v1/ai/generation/{Guid.NewGuid()}/cancel", _ => "/api/v1/ai/generation?limit=5" };
        var head = $"POST {path} HTTP/1.1\r\nHost: localhost\r\nCookie: {cookie}\r\nContent-Type: application/json\r\n";
        var body = random.Next(4) == 0 ? Body.Replace("framed", "fr\\ud800amed") : Body;
        return random.Next(20) switch
        {
            0 => head + $"Content-Length: {body.Length - random.Next(1, 10)}\r\n\r\n{body}",
            1 => head + "Content-Length: -1\r\n\r\n" + body,
            2 => head + "Content-Length: abc\r\n\r\n" + body,
            3 => head + $"Content-Length: {body.Length}\r\nContent-Length: {body.Length + 1}\r\n\r\n{body}",
            4 => head + $"Content-Length: {body.Length}\r\nTransfer-Encoding: chunked\r\n\r\n{body.Length:x}\r\n{body}\r\n0\r\n\r\n",
            5 => head + $"Transfer-Encoding: chunked\r\n\r\n{body.Length:x}\r\n{body}\r\n0\r\n\r\n",
            6 => head + "Transfer-Encoding: chunked\r\n\r\nzz\r\n" + body + "\r\n0\r\n\r\n",
            7 => head + "Transfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFFF\r\n" + body + "\r\n0\r\n\r\n",
            8 => head + "Transfer-Encoding: gzip\r\n\r\n" + body,
            9 => head + "Content-Length: 99999999999999999999\r\n\r\n" + body,
            10 => head + $"Content-Length: {300 * 1024}\r\n\r\n" + body,
            11 => $"POST {path} HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\n\r\n{body}",
            12 => $"GET {new string('a', 10_000 + random.Next(20_000))} HTTP/1.1\r\nHost: localhost\r\n\r\n",
            13 => head + $"X-Big: {new string('b', 40_000)}\r\nContent-Length: {body.Length}\r\n\r\n{body}",
            14 => head + $"Bad Header: x\r\nContent-Length: {body.Length}\r\n\r\n{body}",
            15 => head + $"X-Folded: a\r\n  b\r\nContent-Length: {body.Length}\r\n\r\n{body}",
            16 => $"POST {path} HTTP/1.0\r\nContent-Length: {body.Length}\r\n\r\n{body}",
            17 => $"GARBAGE {path} HTTP/1.1\r\nHost: localhost\r\n\r\n",
            18 => head.Replace("\r\n", "\n") + $"Content-Length: {body.Length}\n\n{body}",
            _ => head + $"Expect: 100-continue\r\nContent-Length: {body.Length}\r\n\r\n{body}",
        };
    }

    public static async Task<int?> SendAsync(Uri server, string request)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(server.Host, server.Port);
        using var stream = tcp.GetStream();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            await stream.WriteAsync(Encoding.Latin1.GetBytes(request), timeout.Token);
            var buffer = new byte[64];
            var read = 0;
            while (read < 12)
            {
                var n = await stream.ReadAsync(buffer.AsMemory(read), timeout.Token);
                if (n == 0) return null;
                read += n;
            }

            var statusLine = Encoding.ASCII.GetString(buffer, 0, read);
            return int.Parse(statusLine.AsSpan(9, 3));
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException)
        {
            return null;
        }
    }
}
