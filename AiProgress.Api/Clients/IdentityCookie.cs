using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;

namespace AiProgress.Api.Clients;

/// <summary>
/// The anonymous identity cookie: a random id protected (encrypted and authenticated) with Data Protection,
/// so only a value this system issued is ever read back. Secure with the <c>__Host-</c> prefix outside
/// Development and whenever the request came over TLS (directly or through a trusted proxy).
/// </summary>
public sealed class IdentityCookie(IDataProtectionProvider protection, IHostEnvironment environment)
{
    public const string SecureName = "__Host-aiprogress_client";
    public const string PlainName = "aiprogress_client";
    private readonly IDataProtector _protector = protection.CreateProtector("AiProgress.ClientIdentity.v1");

    /// <summary>The anonymous id in the request's cookie, or null when there is none the server issued.</summary>
    public string? Read(HttpContext context)
    {
        if (!context.Request.Cookies.TryGetValue(NameFor(context), out var value) || value.Length is 0 or > 512)
        {
            return null;
        }

        try
        {
            var id = _protector.Unprotect(value);
            return id.Length == 32 && id.All(char.IsAsciiHexDigitLower) ? id : null;
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    /// <summary>Sets a cookie for a new random id and returns the id.</summary>
    public string Issue(HttpContext context)
    {
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        context.Response.Cookies.Append(NameFor(context), _protector.Protect(id), new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Lax,
            Secure = IsSecure(context),
            MaxAge = TimeSpan.FromDays(365),
            Path = "/",
        });
        return id;
    }

    private bool IsSecure(HttpContext context) => context.Request.IsHttps || !environment.IsDevelopment();

    // A browser refuses a __Host- cookie that is not Secure, so plain-HTTP development keeps the bare name.
    private string NameFor(HttpContext context) => IsSecure(context) ? SecureName : PlainName;
}
