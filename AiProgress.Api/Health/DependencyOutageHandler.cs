using System.Data.Common;
using Microsoft.AspNetCore.Diagnostics;
using StackExchange.Redis;

namespace AiProgress.Api.Health;

/// <summary>
/// MySQL or Redis down (restarting, unreachable) is an outage, not a bug: the caller gets 503 with Retry-After and
/// a problem that says so, never a 500 or a connection string.
/// </summary>
public sealed class DependencyOutageHandler(IProblemDetailsService problems, ILogger<DependencyOutageHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        var what = exception switch
        {
            DbException or { InnerException: DbException } => "The job database",
            RedisException or RedisTimeoutException => "The job queue",
            _ => null,
        };
        if (what is null || context.Response.HasStarted)
        {
            return false;
        }

        logger.LogWarning(exception, "{Dependency} is unavailable; answering 503", what);
        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        context.Response.Headers.RetryAfter = "5";
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            Exception = exception,
            ProblemDetails =
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = "Temporarily unavailable",
                Detail = $"{what} is unavailable for a moment; try again shortly.",
            },
        });
    }
}
