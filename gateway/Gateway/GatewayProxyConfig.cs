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

    /// <summary>The cookie that pins a client to one instance of a service on <see cref="GatewayRoute.Pinned"/> routes.</summary>
    public const string AffinityCookie = ".Community.Affinity";

    /// <summary>The cluster of <paramref name="service"/>'s pinned routes: the same instances, with session affinity.</summary>
    public static string PinnedCluster(string service) => service + "-pinned";

    /// <summary>
    /// One cluster per service with a destination per instance (service-0, service-1...); a service with no address gets a
    /// cluster without destinations (its routes answer 503). A service with pinned routes gets a second cluster over the
    /// same instances with YARP's HashCookie affinity: the first answer sets the cookie naming its instance (hashed),
    /// later requests carrying it go there, and a request whose instance is gone is sent to another.
    /// </summary>
    public static IReadOnlyList<ClusterConfig> Clusters(IConfiguration configuration, IEnumerable<GatewayRoute>? routes = null)
    {
        var pinned = (routes ?? GatewayRoutes.All).Where(r => r.Pinned).Select(r => r.Service).ToHashSet();
        return ResourceNames.Services.SelectMany(service =>
        {
            var destinations = Addresses(configuration, service)
                .Select((address, i) => (Name: $"{service}-{i}", Address: address))
                .ToDictionary(d => d.Name, d => new DestinationConfig { Address = d.Address });
            var cluster = new ClusterConfig { ClusterId = service, Destinations = destinations };
            if (!pinned.Contains(service)) return [cluster];
            return new[]
            {
                cluster,
                cluster with
                {
                    ClusterId = PinnedCluster(service),
                    SessionAffinity = new SessionAffinityConfig
                    {
                        Enabled = true,
                        Policy = "HashCookie",
                        FailurePolicy = "Redistribute",
                        AffinityKeyName = AffinityCookie,
                        Cookie = new SessionAffinityCookieConfig { HttpOnly = true, SameSite = SameSiteMode.Lax, SecurePolicy = CookieSecurePolicy.SameAsRequest },
                    },
                },
            };
        }).ToList();
    }

    private static RouteConfig ToRouteConfig(GatewayRoute route)
    {
        var config = new RouteConfig
        {
            RouteId = route.Id,
            ClusterId = route.Pinned ? PinnedCluster(route.Service) : route.Service,
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
