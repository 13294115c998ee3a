using System.Net;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.StackExchangeRedis;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace AiProgress.Api.Http;

/// <summary>What every response and request goes through: no banner, nosniff, problem bodies without internals, forwarded headers from known proxies only, and the identity keys shared by all replicas.</summary>
public static class HttpHardening
{
    public const string ApplicationName = "AiProgress";
    public static readonly RedisKey DataProtectionKeys = "aiprogress:dataprotection:keys";

    public static IHostApplicationBuilder AddHttpHardening(this IHostApplicationBuilder builder)
    {
        builder.Services.Configure<KestrelServerOptions>(kestrel => kestrel.AddServerHeader = false);

        // Every replica reads the same key ring and names the same application, so any of them reads a cookie another issued.
        builder.Services.AddDataProtection().SetApplicationName(ApplicationName);
        builder.Services.AddOptions<KeyManagementOptions>().Configure<IConnectionMultiplexer>((keys, redis) =>
            keys.XmlRepository = new RedisXmlRepository(() => redis.GetDatabase(), DataProtectionKeys));

        builder.Services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<ApiOptions>>((forwarded, api) =>
        {
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            // Configured proxies replace the default (loopback, where the Vite dev proxy runs); nobody else is believed.
            if (api.Value.KnownProxies.Count + api.Value.KnownNetworks.Count > 0)
            {
                forwarded.KnownProxies.Clear();
                forwarded.KnownIPNetworks.Clear();
                api.Value.KnownProxies.ForEach(p => forwarded.KnownProxies.Add(IPAddress.Parse(p)));
                api.Value.KnownNetworks.ForEach(n => forwarded.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(n)));
            }
        });

        builder.Services.AddProblemDetails(problems => problems.CustomizeProblemDetails = context =>
        {
            // Whatever a handler or the framework put there, a client never sees an exception, a host or a port.
            context.ProblemDetails.Extensions.Remove("exception");
            if (context.ProblemDetails.Status >= 500 && context.Exception is not null)
            {
                context.ProblemDetails.Detail = "The server could not answer this request.";
            }
        });
        return builder;
    }

    public static WebApplication UseHttpHardening(this WebApplication app)
    {
        app.UseForwardedHeaders();
        app.Use((context, next) =>
        {
            // On starting, so that a response the exception handler cleared and rewrote carries it too.
            context.Response.OnStarting(() =>
            {
                context.Response.Headers.XContentTypeOptions = "nosniff";
                return Task.CompletedTask;
            });
            return next(context);
        });
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            // Bad framing, a body cut short, a client gone: the request's fault, not the server's.
            StatusCodeSelector = exception => exception is Microsoft.AspNetCore.Http.BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError,
        });
        app.UseStatusCodePages();
        return app;
    }
}
