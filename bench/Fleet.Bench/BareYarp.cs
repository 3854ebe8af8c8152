using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Configuration;

namespace Community.Fleet.Bench;

/// <summary>
/// YARP and nothing else, in this process: one catch-all route to the service, no token check, no rate limiter, no
/// middleware of ours, no logging; what any gateway built on YARP costs at the least, set against nginx doing the same.
/// </summary>
public sealed class BareYarp : IAsyncDisposable
{
    private readonly WebApplication _app;

    private BareYarp(WebApplication app, Uri baseAddress) => (_app, BaseAddress) = (app, baseAddress);

    public Uri BaseAddress { get; }

    public static async Task<BareYarp> StartAsync(Uri upstream)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder
            .Services.AddReverseProxy()
            .LoadFromMemory(
                [
                    new RouteConfig
                    {
                        RouteId = "all",
                        ClusterId = "service",
                        Match = new RouteMatch { Path = "{**rest}" },
                    },
                ],
                [
                    new ClusterConfig
                    {
                        ClusterId = "service",
                        Destinations = new Dictionary<string, DestinationConfig>
                        {
                            ["one"] = new() { Address = upstream.ToString() },
                        },
                    },
                ]
            );
        var app = builder.Build();
        app.MapReverseProxy();
        await app.StartAsync();
        return new BareYarp(app, new Uri(app.Urls.First()));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
