using System.Xml.Linq;
using Community.ServiceDefaults.Auth;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;

namespace Community.Gateway;

public static class GatewayExtensions
{
    public static IHostApplicationBuilder AddGateway(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;

        services
            .AddReverseProxy()
            .LoadFromMemory(
                GatewayProxyConfig.Routes(GatewayRoutes.All),
                GatewayProxyConfig.Clusters(builder.Configuration)
            )
            .AddDnsDestinations(builder.Configuration)
            .ConfigureHttpClient(
                (_, handler) =>
                {
                    handler.ConnectTimeout = GatewayProxyConfig.ConnectTimeout(builder.Configuration);
                    handler.PooledConnectionLifetime = GatewayProxyConfig.ConnectionLifetime(builder.Configuration);
                }
            );

        // YARP keeps an instance its failed forwards took out for the longer of the cluster's ReactivationPeriod and
        // the window those failures are counted in (a minute by default): the window is the reactivation period's, so
        // the instance is tried again when InstanceHealth says.
        services.Configure<Yarp.ReverseProxy.Health.TransportFailureRateHealthPolicyOptions>(options =>
            options.DetectionWindowSize = GatewayProxyConfig.InstanceHealth.Passive!.ReactivationPeriod!.Value
        );

        builder.Logging.AddFilter(ForwardingLog.ForwarderCategory, LogLevel.Error);
        services.AddForwardingLog(builder.Configuration);

        services.AddGatewayRateLimits(builder.Configuration);
        services.AddGatewayCors(builder.Configuration);
        // No bus at the edge: identity's feed is read every second, which bounds how long an ended session's token
        // still passes here. Not ready until the feed was read once.
        services.AddRevocationFeed(TimeSpan.FromSeconds(1));
        // YARP's session affinity takes a Data Protection protector at start; the one policy used here (HashCookie)
        // protects nothing, so the keys live in memory: no key ring written to the home folder (read-only in the
        // pod) and no warning at each start about one stored unencrypted.
        services.AddDataProtection();
        services.Configure<KeyManagementOptions>(o => o.XmlRepository = new InMemoryKeyRing());
        // "No XML encryptor configured: the key may be persisted unencrypted": it is persisted nowhere
        builder.Logging.AddFilter(typeof(XmlKeyManager).FullName, LogLevel.Error);
        return builder;
    }

    public static WebApplication MapGateway(this WebApplication app)
    {
        app.MapReverseProxy(proxy =>
        {
            proxy.UseRoomForForwardedHeaders();
            proxy.UseForwardingLog();
            proxy.UseServiceUnavailableProblems();
            proxy.UseSessionAffinity();
            proxy.UseRetriesOnAnotherInstance();
            proxy.UseLoadBalancing();
            proxy.UsePassiveHealthChecks();
            proxy.UseUpgradedConnectionEnds();
        });

        app.MapGatewayDocs();
        app.MapPasswordResetPage();
        app.MapRegistrationConfirmPage();
        app.MapWebClient();
        return app;
    }
}

/// <summary>Data Protection keys kept in memory only: nothing the gateway protects outlives its process.</summary>
internal sealed class InMemoryKeyRing : IXmlRepository
{
    private readonly List<XElement> _elements = [];

    public IReadOnlyCollection<XElement> GetAllElements()
    {
        lock (_elements)
            return [.. _elements.Select(e => new XElement(e))];
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        lock (_elements)
            _elements.Add(new XElement(element));
    }
}
