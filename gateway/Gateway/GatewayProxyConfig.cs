using Community.Contracts;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Transforms;

namespace Community.Gateway;

/// <summary>Turns <see cref="GatewayRoutes"/> and the configured service addresses into YARP routes and clusters.</summary>
public static class GatewayProxyConfig
{
    /// <summary>
    /// Configuration key of a service's base address, e.g. <c>Services:identity = http://127.0.0.1:5101</c>; several instances
    /// are separated by semicolons (<c>http://127.0.0.1:5103;http://127.0.0.1:5113</c>) and share the traffic (YARP's default load balancing).
    /// </summary>
    public static string AddressKey(string service) => $"Services:{service}";

    /// <summary>The instances configured for <paramref name="service"/>, in order; none when it has no address.</summary>
    public static IReadOnlyList<string> Addresses(IConfiguration configuration, string service) =>
        (configuration[AddressKey(service)] ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>The services that have an address configured, in start order.</summary>
    public static IReadOnlyList<string> ConfiguredServices(IConfiguration configuration) =>
        ResourceNames.Services.Where(s => !string.IsNullOrWhiteSpace(configuration[AddressKey(s)])).ToList();

    public static IReadOnlyList<RouteConfig> Routes(IEnumerable<GatewayRoute> table) => table.Select(ToRouteConfig).ToList();

    /// <summary>
    /// One cluster per service with a destination per instance (service-0, service-1...); a service with no address gets a
    /// cluster without destinations (its routes answer 503).
    /// </summary>
    public static IReadOnlyList<ClusterConfig> Clusters(IConfiguration configuration) => ResourceNames.Services.Select(service =>
    {
        var destinations = Addresses(configuration, service)
            .Select((address, i) => (Name: $"{service}-{i}", Address: address))
            .ToDictionary(d => d.Name, d => new DestinationConfig { Address = d.Address });
        return new ClusterConfig { ClusterId = service, Destinations = destinations };
    }).ToList();

    private static RouteConfig ToRouteConfig(GatewayRoute route)
    {
        var config = new RouteConfig
        {
            RouteId = route.Id,
            ClusterId = route.Service,
            Match = new RouteMatch { Path = route.Path, Methods = route.Methods },
            // null leaves the route to the fallback policy: an authenticated user.
            AuthorizationPolicy = route.Anonymous ? "anonymous" : null,
            RateLimiterPolicy = route.RateLimitPolicy,
            MaxRequestBodySize = route.MaxRequestBodyBytes,
        };
        if (route.UpstreamPath is null) return config;

        // The service then sees the gateway's host, so the servers it lists in its document point at the gateway.
        return config.WithTransformPathSet(route.UpstreamPath).WithTransformUseOriginalHostHeader();
    }
}
