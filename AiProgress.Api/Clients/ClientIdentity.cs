using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace AiProgress.Api.Clients;

/// <summary>
/// Who is asking: a script with a configured API key, or a browser with the identity cookie the server issued
/// (EventSource sends cookies but cannot send headers). A job is visible only to the client that created it.
/// A wrong key is refused, never taken as anonymous; a cookie the server did not issue gets a new identity,
/// and new identities per source address are limited, so dropping the cookie buys nothing.
/// </summary>
public static class ClientIdentity
{
    private const string ItemKey = "aiprogress.client";

    public static string GetClientId(this HttpContext context) =>
        context.Items[ItemKey] as string ?? throw new InvalidOperationException("Client identity middleware has not run.");

    /// <summary>Resolves the client of every API request, issuing a new identity cookie where there is none.</summary>
    public static IApplicationBuilder UseClientIdentity(this IApplicationBuilder app) =>
        app.UseWhen(context => context.Request.Path.StartsWithSegments("/api"), api => api.Use(async (context, next) =>
        {
            var (clientId, refusal) = Resolve(context);
            if (refusal is not null)
            {
                await refusal.ExecuteAsync(context);
                return;
            }

            context.Items[ItemKey] = clientId;
            await next(context);
        }));

    private static (string? ClientId, IResult? Refusal) Resolve(HttpContext context)
    {
        var services = context.RequestServices;
        var authorization = context.Request.Headers.Authorization.ToString();
        // Other schemes (a proxy's own Basic auth passed along) are not ours to judge.
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            var clientId = services.GetRequiredService<ApiKeyRing>().ClientIdFor(authorization["Bearer ".Length..].Trim());
            if (clientId is null)
            {
                context.Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\"";
                return (null, TypedResults.Problem("The API key is not valid.", title: "Unauthorized", statusCode: StatusCodes.Status401Unauthorized));
            }

            return (clientId, null);
        }

        var cookie = services.GetRequiredService<IdentityCookie>();
        if (cookie.Read(context) is { } id)
        {
            return ("anon:" + id, null);
        }

        using var lease = services.GetRequiredService<NewIdentityLimiter>().AttemptAcquire(ClientAddress.Of(context));
        if (!lease.IsAcquired)
        {
            context.Response.Headers.RetryAfter = "60";
            return (null, TypedResults.Problem("Too many new client identities from this address; keep the cookie, or try again later.",
                title: "Too many requests", statusCode: StatusCodes.Status429TooManyRequests));
        }

        return ("anon:" + cookie.Issue(context), null);
    }
}

/// <summary>New anonymous identities per source address and minute, in this process.</summary>
public sealed class NewIdentityLimiter(IOptions<ApiOptions> options) : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter = PartitionedRateLimiter.Create<string, string>(address =>
        RateLimitPartition.GetFixedWindowLimiter(address, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = options.Value.NewIdentitiesPerMinutePerAddress,
            Window = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
        }));

    public RateLimitLease AttemptAcquire(string address) => _limiter.AttemptAcquire(address);

    public void Dispose() => _limiter.Dispose();
}
