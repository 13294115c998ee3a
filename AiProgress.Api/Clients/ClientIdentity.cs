using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace AiProgress.Api.Clients;

/// <summary>
/// Who is asking: a script with a configured API key, or a browser with the anonymous id in an HttpOnly cookie
/// (EventSource sends cookies but cannot send headers). A job is visible only to the client that created it.
/// </summary>
public static class ClientIdentity
{
    public const string CookieName = "aiprogress_client";
    private const string ItemKey = "aiprogress.client";

    public static string GetClientId(this HttpContext context) =>
        context.Items[ItemKey] as string ?? throw new InvalidOperationException("Client identity middleware has not run.");

    /// <summary>Resolves the client of every request, issuing a new anonymous cookie where there is none.</summary>
    public static IApplicationBuilder UseClientIdentity(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        context.Items[ItemKey] = Resolve(context);
        await next(context);
    });

    private static string Resolve(HttpContext context)
    {
        var authorization = context.Request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            var key = authorization["Bearer ".Length..].Trim();
            var keys = context.RequestServices.GetRequiredService<IOptions<ApiOptions>>().Value.ApiKeys;
            if (keys.Any(k => CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(k), Encoding.UTF8.GetBytes(key))))
            {
                return "key:" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..24].ToLowerInvariant();
            }
        }

        if (context.Request.Cookies.TryGetValue(CookieName, out var cookie) && IsWellFormed(cookie))
        {
            return "anon:" + cookie;
        }

        var id = Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();
        context.Response.Cookies.Append(CookieName, id, new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Lax,
            Secure = context.Request.IsHttps,
            MaxAge = TimeSpan.FromDays(365),
            Path = "/",
        });
        return "anon:" + id;
    }

    private static bool IsWellFormed(string value) => value.Length == 32 && value.All(Uri.IsHexDigit);
}
