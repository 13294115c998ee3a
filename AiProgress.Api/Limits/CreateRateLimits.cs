using System.Threading.RateLimiting;
using AiProgress.Api.Clients;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace AiProgress.Api.Limits;

/// <summary>
/// Creates per minute, counted three ways at once: per client, per source address and for everyone, so that
/// a client that drops its cookie (and so becomes a new client) still meets its address's limit.
/// </summary>
public static class CreateRateLimits
{
    /// <summary>Marks the endpoint that the create limits apply to.</summary>
    public sealed class Metadata
    {
        public static readonly Metadata Instance = new();
    }

    public static IServiceCollection AddCreateRateLimits(this IServiceCollection services) => services.AddRateLimiter(limiter =>
    {
        limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
        limiter.GlobalLimiter = PartitionedRateLimiter.CreateChained(
            PerMinute("client", context => context.GetClientId(), o => o.CreatePerMinute),
            PerMinute("address", ClientAddress.Of, o => o.CreatePerMinutePerAddress),
            PerMinute("total", _ => "", o => o.CreatePerMinuteTotal));
        limiter.OnRejected = async (context, cancellationToken) =>
        {
            var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1);
            context.HttpContext.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString();
            await TypedResults.Problem("Too many jobs were created; try again later.", title: "Too many requests",
                statusCode: StatusCodes.Status429TooManyRequests).ExecuteAsync(context.HttpContext);
        };
    });

    private static PartitionedRateLimiter<HttpContext> PerMinute(string scope, Func<HttpContext, string> key, Func<ApiOptions, int> limit) =>
        PartitionedRateLimiter.Create<HttpContext, string>(context =>
        {
            if (context.GetEndpoint()?.Metadata.GetMetadata<Metadata>() is null)
            {
                return RateLimitPartition.GetNoLimiter("");
            }

            var options = context.RequestServices.GetRequiredService<IOptions<ApiOptions>>().Value;
            return RateLimitPartition.GetFixedWindowLimiter(scope + ":" + key(context), _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = limit(options),
                Window = TimeSpan.FromMinutes(1),
                QueueLimit = 0,
            });
        });
}
