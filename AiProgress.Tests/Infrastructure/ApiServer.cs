using AiProgress.Api;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging;

namespace AiProgress.Tests.Infrastructure;

/// <summary>The real API (its own Program) on Kestrel at a random port, so tests speak real HTTP to it.</summary>
public sealed class ApiServer(IDictionary<string, string?> settings) : WebApplicationFactory<ApiOptions>
{
    public static ApiServer Start(IDictionary<string, string?> settings)
    {
        var server = new ApiServer(settings);
        server.UseKestrel(0);
        server.StartServer();
        return server;
    }

    /// <summary>A client that sends exactly the cookies a test gives it.</summary>
    public static HttpClient BareClient(Uri baseAddress) => new(new SocketsHttpHandler { UseCookies = false }) { BaseAddress = baseAddress };

    /// <summary>A client with its own cookie jar: one anonymous browser.</summary>
    public HttpClient CreateBrowserClient() =>
        CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = true, BaseAddress = BaseAddress });

    /// <summary>Where Kestrel listens: a random port per server, so two replicas can run side by side.</summary>
    public Uri BaseAddress => new(Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
    }
}
