using System.Text.RegularExpressions;

namespace AiProgress.Jobs.Data;

/// <summary>
/// An error message as clients may see it: exception texts name hosts, ports, URLs and sometimes connection
/// strings ("Connection refused (ollama:11434)"); those become "[server]" before the message is stored or sent.
/// </summary>
public static partial class ClientErrorMessage
{
    public const int MaxLength = 1024;

    public static string Sanitize(string message)
    {
        var clean = ConnectionStringPart().Replace(message, "");
        clean = Url().Replace(clean, "[server]");
        clean = BracketedIPv6().Replace(clean, "[server]");
        clean = IPv4().Replace(clean, "[server]");
        clean = HostAndPort().Replace(clean, "[server]");
        return clean.Length <= MaxLength ? clean : clean[..MaxLength];
    }

    [GeneratedRegex(@"\b(server|host|data source|port|password|pwd|user id|uid|user|database)\s*=\s*[^;,)\s]*;?", RegexOptions.IgnoreCase)]
    private static partial Regex ConnectionStringPart();

    [GeneratedRegex(@"\b[a-z][a-z0-9+.-]*://[^\s)'""]+", RegexOptions.IgnoreCase)]
    private static partial Regex Url();

    [GeneratedRegex(@"\[[0-9a-f:.%a-z]*:[0-9a-f:.%a-z]*\](:\d+)?", RegexOptions.IgnoreCase)]
    private static partial Regex BracketedIPv6();

    [GeneratedRegex(@"\b\d{1,3}(\.\d{1,3}){3}(:\d+)?\b")]
    private static partial Regex IPv4();

    [GeneratedRegex(@"\b[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9-]+)*:\d{1,5}\b", RegexOptions.IgnoreCase)]
    private static partial Regex HostAndPort();
}
