using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace AiProgress.Api.Clients;

/// <summary>
/// The configured API keys as SHA-256 hashes only. A presented key is hashed and compared with every hash in
/// constant time, so neither a key nor how much of one matched shows in memory or in timing.
/// </summary>
public sealed class ApiKeyRing(IOptions<ApiOptions> options)
{
    private readonly byte[][] _hashes = options.Value.ApiKeys.Select(k => Hash(k.Trim()))
        .Concat(options.Value.ApiKeySha256.Select(Convert.FromHexString))
        .ToArray();

    /// <summary>The client id of a known key, or null.</summary>
    public string? ClientIdFor(string presentedKey)
    {
        var presented = Hash(presentedKey);
        var match = false;
        foreach (var hash in _hashes)
        {
            // No early exit: every hash is compared whatever matched.
            match |= CryptographicOperations.FixedTimeEquals(hash, presented);
        }

        return match ? "key:" + Convert.ToHexStringLower(presented)[..24] : null;
    }

    private static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}
