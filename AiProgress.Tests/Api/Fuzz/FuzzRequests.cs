using System.Globalization;
using System.Text;

namespace AiProgress.Tests.Api.Fuzz;

/// <summary>One generated request: what to send, and whether it names a job the sender must not touch.</summary>
public sealed record FuzzRequest(string Method, string Path, byte[]? Body, IReadOnlyList<(string Name, string Value)> Headers, bool TargetsVictim);

/// <summary>
/// Generates hostile requests from a seeded Random: byte mutations of valid bodies, random JSON of every type and
/// depth, huge and tiny numbers, odd content types, cookies, keys, Last-Event-ID values, ids and query strings.
/// </summary>
public sealed class FuzzRequests(Random random, IReadOnlyList<string> ownIds, IReadOnlyList<string> victimIds, IReadOnlyList<string> cookies)
{
    private const string Generation = "/api/v1/ai/generation";

    private static readonly string[] ValidBodies =
    [
        """{"prompt":"Tell me a story","max_tokens":3}""",
        """{"prompt":"hi","model":"scripted","max_tokens":5,"system":"be brief","temperature":0.7}""",
        """{"prompt":"Ünïcödé 🐉 中文","max_tokens":1,"temperature":0}""",
        """{"prompt":"a\nb\tc","system":null,"model":null,"temperature":null}""",
    ];

    private static readonly string[] Snippets =
    [
        "\\ud800", "\\udfff", "\\u0000", "\\\"", "\\", "\"", "{", "}", "[", "]", ":", ",", "null", "true", "false",
        "1e400", "-1e400", "1e-400", "-0", "0.0000000000000000000001", "99999999999999999999999999", "-9223372036854775809",
        "NaN", "Infinity", "\"prompt\":", "\"max_tokens\":", "\"temperature\":", "\"model\":", "\"system\":", "/*", "//",
        "\uFEFF", "\u2028", "🐉", "%00", "' OR 1=1 --",
    ];

    private static readonly byte[][] BadBytes =
    [
        [0xFF], [0xFE], [0x80], [0xC0, 0xAF], [0xE0, 0x80, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80],
        [0xF8, 0x88, 0x80, 0x80, 0x80], [0xE2, 0x82], [0x00], [0xEF, 0xBB, 0xBF], [0x0D, 0x0A],
    ];

    private static readonly string[] ContentTypes =
    [
        "application/json", "application/json; charset=utf-8", "application/json; charset=UTF8", "application/json; charset=utf-16",
        "application/json; charset=latin1", "application/problem+json", "application/vnd.api+json", "text/json", "text/plain",
        "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/json;;;", "application/json; charset=",
        "*/*", "json", "", "application/json; charset=\"utf-8\"", "APPLICATION/JSON",
    ];

    private static readonly string[] Methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"];

    public FuzzRequest Next() => random.Next(100) switch
    {
        < 30 => MutatedCreate(),
        < 50 => RandomJsonCreate(),
        < 58 => JobRequest("GET", "status"),
        < 64 => JobRequest("GET", "progress"),
        < 71 => JobRequest("POST", "cancel"),
        < 78 => JobRequest("DELETE", null),
        < 86 => List(),
        < 89 => new FuzzRequest("GET", "/api/v1/ai/models" + (random.Next(3) == 0 ? RandomQuery() : ""), null, OddHeaders(), false),
        _ => Anything(),
    };

    private FuzzRequest MutatedCreate()
    {
        var body = Encoding.UTF8.GetBytes(ValidBodies[random.Next(ValidBodies.Length)]).ToList();
        for (var i = random.Next(1, 5); i > 0; i--)
        {
            var at = random.Next(body.Count + 1);
            switch (random.Next(6))
            {
                case 0 when body.Count > 0:
                    body[Math.Min(at, body.Count - 1)] = (byte)random.Next(256);
                    break;
                case 1:
                    body.InsertRange(at, BadBytes[random.Next(BadBytes.Length)]);
                    break;
                case 2 when body.Count > 0:
                    body.RemoveRange(Math.Min(at, body.Count - 1), Math.Min(random.Next(1, 8), body.Count - Math.Min(at, body.Count - 1)));
                    break;
                case 3:
                    body.InsertRange(at, Encoding.UTF8.GetBytes(Snippets[random.Next(Snippets.Length)]));
                    break;
                case 4 when body.Count > 2:
                    var from = random.Next(body.Count - 1);
                    body.InsertRange(at, body.GetRange(from, Math.Min(random.Next(1, 30), body.Count - from)));
                    break;
                default:
                    body.Insert(at, (byte)random.Next(0x20, 0x7F));
                    break;
            }
        }

        return Create([.. body]);
    }

    private FuzzRequest RandomJsonCreate()
    {
        var json = new StringBuilder();
        if (random.Next(4) == 0)
        {
            WriteValue(json, depth: 0);
        }
        else
        {
            json.Append('{');
            string[] keys = ["prompt", "model", "max_tokens", "system", "temperature", "extra", "Prompt", "prompt "];
            var count = random.Next(0, 7);
            for (var i = 0; i < count; i++)
            {
                if (i > 0) json.Append(',');
                json.Append('"').Append(random.Next(5) == 0 ? RandomText(8) : keys[random.Next(keys.Length)]).Append("\":");
                WriteValue(json, depth: 1);
            }

            json.Append('}');
        }

        return Create(Encoding.UTF8.GetBytes(json.ToString()));
    }

    private void WriteValue(StringBuilder json, int depth)
    {
        switch (random.Next(depth > 6 ? 5 : 7))
        {
            case 0: json.Append("null"); break;
            case 1: json.Append(random.Next(2) == 0 ? "true" : "false"); break;
            case 2: json.Append(RandomNumber()); break;
            case 3: json.Append('"').Append(random.Next(20) == 0 ? new string('x', random.Next(30_000, 40_000)) : EscapedText(random.Next(0, 40))).Append('"'); break;
            case 4: json.Append("\"Tell me a story\""); break;
            case 5:
                json.Append('[');
                for (var i = random.Next(0, 4); i > 0; i--)
                {
                    WriteValue(json, depth + 1);
                    if (i > 1) json.Append(',');
                }

                json.Append(']');
                break;
            default:
                if (random.Next(10) == 0)
                {
                    var deep = random.Next(20, 200);
                    json.Append(new string('[', deep)).Append(new string(']', deep));
                    break;
                }

                json.Append('{');
                for (var i = random.Next(0, 4); i > 0; i--)
                {
                    json.Append('"').Append(random.Next(3) == 0 ? "k" : EscapedText(4)).Append("\":");
                    WriteValue(json, depth + 1);
                    if (i > 1) json.Append(',');
                }

                json.Append('}');
                break;
        }
    }

    private string RandomNumber() => random.Next(12) switch
    {
        0 => "1e400",
        1 => "-1e400",
        2 => "1e-400",
        3 => "99999999999999999999999999999",
        4 => "-9223372036854775809",
        5 => "0",
        6 => "-0",
        7 => "2.0000000000000001",
        8 => random.Next(-10, 10_000).ToString(CultureInfo.InvariantCulture),
        9 => (random.NextDouble() * 4 - 1).ToString("R", CultureInfo.InvariantCulture),
        10 => "1" + new string('0', random.Next(300, 2000)),
        _ => double.MaxValue.ToString("R", CultureInfo.InvariantCulture),
    };

    private string EscapedText(int length)
    {
        var text = new StringBuilder();
        for (var i = 0; i < length; i++)
        {
            text.Append(random.Next(10) switch
            {
                0 => $"\\u{random.Next(0xD800, 0xE000):x4}",
                1 => $"\\u{random.Next(0, 0x20):x4}",
                2 => "🐉",
                3 => "\\n",
                _ => (char)random.Next('a', 'z' + 1),
            });
        }

        return text.ToString();
    }

    private FuzzRequest Create(byte[] body)
    {
        var headers = OddHeaders();
        var contentType = random.Next(4) == 0 ? ContentTypes[random.Next(ContentTypes.Length)] : "application/json";
        return new FuzzRequest("POST", Generation + (random.Next(8) == 0 ? RandomQuery() : ""), body, [.. headers, ("Content-Type", contentType)], false);
    }

    private FuzzRequest JobRequest(string method, string? action)
    {
        var (id, victim) = PickId();
        var path = $"{Generation}/{id}" + (action is null ? "" : "/" + action) + (random.Next(6) == 0 ? RandomQuery() : "");
        var headers = OddHeaders();
        if (action == "progress" && random.Next(2) == 0)
        {
            headers.Add(("Last-Event-ID", random.Next(8) switch
            {
                0 => "0-0",
                1 => $"{random.NextInt64()}-{random.Next()}",
                2 => "-1",
                3 => "99999999999999999999999-99999999999999999999",
                4 => "",
                5 => "1-2-3",
                6 => RandomHeaderText(20),
                _ => $"{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}-0",
            }));
        }

        byte[]? body = random.Next(10) == 0 ? Encoding.UTF8.GetBytes(ValidBodies[0]) : null;
        return new FuzzRequest(method, path, body, headers, victim);
    }

    private (string Id, bool Victim) PickId() => random.Next(10) switch
    {
        < 3 when ownIds.Count > 0 => (ownIds[random.Next(ownIds.Count)], false),
        < 6 => (victimIds[random.Next(victimIds.Count)], true),
        6 => (Guid.NewGuid().ToString(), false),
        7 => (Guid.NewGuid().ToString().ToUpperInvariant(), false),
        8 => (Uri.EscapeDataString(RandomText(random.Next(0, 80))), false),
        _ => (random.Next(4) switch
        {
            0 => "%F0%9F%98%80",
            1 => "..%2F..%2Fetc%2Fpasswd",
            2 => new string('a', 5000),
            _ => "1%27%20OR%20%271%27%3D%271",
        }, false),
    };

    private FuzzRequest List()
    {
        string[] queries =
        [
            "", "?limit=1", "?limit=100", "?limit=0", "?limit=-1", "?limit=1e3", "?limit=99999999999999999999", "?limit=",
            "?status=queued", "?status=QUEUED", "?status=", "?status=queued&status=failed", "?limit=1&limit=2", "?status[]=x",
        ];
        var query = random.Next(3) == 0 ? RandomQuery() : queries[random.Next(queries.Length)];
        return new FuzzRequest("GET", Generation + query, null, OddHeaders(), false);
    }

    private FuzzRequest Anything()
    {
        string[] paths = [Generation, Generation + "/", $"{Generation}/{Guid.NewGuid()}", "/api/v1/ai/models", "/api", "/api/v1/ai/generation//status", "/health", "/alive", "/openapi/v1.json", "/" + Uri.EscapeDataString(RandomText(10))];
        var (id, victim) = PickId();
        var namesId = random.Next(3) == 0;
        var path = namesId ? $"{Generation}/{id}/{(random.Next(2) == 0 ? "status" : "cancel")}" : paths[random.Next(paths.Length)];
        byte[]? body = random.Next(2) == 0 ? Encoding.UTF8.GetBytes(ValidBodies[random.Next(ValidBodies.Length)]) : null;
        var headers = OddHeaders();
        if (body is not null) headers.Add(("Content-Type", ContentTypes[random.Next(ContentTypes.Length)]));
        return new FuzzRequest(Methods[random.Next(Methods.Length)], path, body, headers, namesId && victim);
    }

    private List<(string, string)> OddHeaders()
    {
        var headers = new List<(string, string)>();
        switch (random.Next(8))
        {
            case 0: break; // no cookie: a new identity
            case 1: headers.Add(("Cookie", $"aiprogress_client={Convert.ToHexStringLower(Guid.NewGuid().ToByteArray())}")); break;
            case 2: headers.Add(("Cookie", $"aiprogress_client={RandomHeaderText(random.Next(0, 600))}")); break;
            case 3: headers.Add(("Cookie", $"__Host-aiprogress_client={RandomHeaderText(40)}; aiprogress_client=; a=b")); break;
            default: headers.Add(("Cookie", cookies[random.Next(cookies.Count)])); break;
        }

        if (random.Next(10) == 0) headers.Add(("Authorization", random.Next(2) == 0 ? "Bearer " + RandomHeaderText(40) : "Basic " + RandomHeaderText(12)));
        if (random.Next(10) == 0) headers.Add(("X-Forwarded-For", random.Next(2) == 0 ? RandomHeaderText(15) : $"10.{random.Next(256)}.{random.Next(256)}.{random.Next(256)}, ::1"));
        if (random.Next(10) == 0) headers.Add(("X-Forwarded-Proto", random.Next(2) == 0 ? "https" : RandomHeaderText(6)));
        if (random.Next(10) == 0) headers.Add(("Accept", random.Next(2) == 0 ? "text/event-stream" : RandomHeaderText(10)));
        if (random.Next(15) == 0) headers.Add(("Origin", random.Next(2) == 0 ? "http://evil.example" : RandomHeaderText(10)));
        if (random.Next(15) == 0) headers.Add(("Accept-Encoding", "gzip, br, " + RandomHeaderText(5)));
        if (random.Next(15) == 0) headers.Add(("X-" + RandomToken(6), RandomHeaderText(random.Next(0, 2000))));
        return headers;
    }

    private string RandomQuery()
    {
        var query = new StringBuilder("?");
        for (var i = random.Next(1, 5); i > 0; i--)
        {
            query.Append(Uri.EscapeDataString(RandomText(random.Next(0, 8)))).Append('=').Append(Uri.EscapeDataString(RandomText(random.Next(0, 30))));
            if (i > 1) query.Append('&');
        }

        return random.Next(5) == 0 ? query + "&%ZZ=%" : query.ToString();
    }

    private string RandomText(int length)
    {
        var text = new StringBuilder();
        for (var i = 0; i < length; i++)
        {
            text.Append(random.Next(12) switch
            {
                0 => "🐉",
                1 => (char)random.Next(0x80, 0x800),
                2 => (char)random.Next(0, 0x20),
                _ => (char)random.Next(0x20, 0x7F),
            });
        }

        return text.ToString();
    }

    // Visible ASCII and Latin-1 letters: what a client library will still put on the wire in a header.
    private string RandomHeaderText(int length) =>
        new(Enumerable.Range(0, length).Select(_ => random.Next(10) == 0 ? (char)random.Next(0xA0, 0x100) : (char)random.Next(0x21, 0x7F)).ToArray());

    private string RandomToken(int length) => new(Enumerable.Range(0, length).Select(_ => (char)random.Next('a', 'z' + 1)).ToArray());
}
