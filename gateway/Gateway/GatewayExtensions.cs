using Community.ServiceDefaults.Auth;

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
            .AddDnsDestinations(builder.Configuration);

        builder.Logging.AddFilter(ForwardingLog.ForwarderCategory, LogLevel.Error);

        services.AddGatewayRateLimits(builder.Configuration);
        services.AddGatewayCors(builder.Configuration);
        // No bus at the edge: identity's feed is read every second, which bounds how long an ended session's token
        // still passes here.
        services.AddRevocationFeed(TimeSpan.FromSeconds(1));
        return builder;
    }

    public static WebApplication MapGateway(this WebApplication app)
    {
        app.MapReverseProxy(proxy =>
        {
            proxy.UseForwardingLog();
            proxy.UseServiceUnavailableProblems();
            proxy.UseSessionAffinity();
            proxy.UseRetriesOnAnotherInstance();
            proxy.UseLoadBalancing();
            proxy.UsePassiveHealthChecks();
        });

        app.MapGatewayDocs();
        app.MapPasswordResetPage();
        app.MapRegistrationConfirmPage();
        app.MapWebClient();
        return app;
    }
}
