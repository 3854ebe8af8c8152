using Community.Contracts;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.ServiceDiscovery;
using Yarp.ReverseProxy.Transforms;

namespace Community.Gateway;

/// <summary>
/// Turns <see cref="GatewayRoutes"/> and the configured service addresses into YARP routes and clusters.
/// </summary>
public static class GatewayProxyConfig
{
    /// <summary>
    /// Configuration key of a service's base address, e.g. <c>Services:identity = http://127.0.0.1:5101</c>; several
    /// instances are separated by semicolons (<c>http://127.0.0.1:5103;http://127.0.0.1:5113</c>) and share the traffic
    /// (YARP's default load balancing).
    /// </summary>
    public static string AddressKey(string service) => $"Services:{service}";

    /// <summary>
    /// The instances configured for <paramref name="service"/>, in order; none when it has no address.
    /// </summary>
    public static IReadOnlyList<string> Addresses(IConfiguration configuration, string service) =>
        (configuration[AddressKey(service)] ?? "").Split(
            ';',
            StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries
        );

    /// <summary>
    /// Configuration key of the instances a service's pinned routes spread over when not <see cref="AddressKey"/>'s:
    /// in Kubernetes a headless Service (<c>http://messaging-pods:8080</c>) whose name <see cref="DnsDestinations"/>
    /// resolves to every ready pod, where the ordinary Service's one virtual address would hide them.
    /// </summary>
    public static string PinnedAddressKey(string service) => $"PinnedServices:{service}";

    /// <summary>
    /// The instances of a service's pinned cluster: <see cref="PinnedAddressKey"/>, else its addresses.
    /// </summary>
    public static IReadOnlyList<string> PinnedAddresses(IConfiguration configuration, string service) =>
        configuration[PinnedAddressKey(service)] is { } pinned && !string.IsNullOrWhiteSpace(pinned)
            ? pinned.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : Addresses(configuration, service);

    /// <summary>
    /// Configuration key of how long, in seconds, the gateway waits on a service that sends nothing (neither the
    /// answer's headers nor more of its body) before giving up with a 503; YARP's 100 s when not set. YARP applies it
    /// to upgraded connections and streamed answers too, so it must stay above the hub's keep-alive (15 s) and the
    /// companion's longest silence (20 s).
    /// </summary>
    public const string ServiceTimeoutKey = "Proxy:ServiceTimeoutSeconds";

    /// <summary>
    /// Configuration key of how long, in seconds, the gateway waits for a connection to an instance to open before
    /// trying another one; <see cref="DefaultConnectTimeout"/> when not set. SocketsHttpHandler sets no limit of its
    /// own, so a host gone without refusing (powered off, its packets dropped) would otherwise hold each request until
    /// <see cref="ServiceTimeoutKey"/> ended it, and a write then could not be sent elsewhere.
    /// </summary>
    public const string ConnectTimeoutKey = "Proxy:ConnectTimeoutSeconds";

    public static readonly TimeSpan DefaultConnectTimeout = TimeSpan.FromSeconds(5);

    public static TimeSpan ConnectTimeout(IConfiguration configuration) =>
        configuration.GetValue<double?>(ConnectTimeoutKey) is { } seconds and > 0
            ? TimeSpan.FromSeconds(seconds)
            : DefaultConnectTimeout;

    /// <summary>
    /// Configuration key of how long, in seconds, a connection to an instance takes new requests once opened;
    /// <see cref="DefaultConnectionLifetime"/> when not set. SocketsHttpHandler keeps a busy pooled connection for
    /// ever, so behind one Service address (Kubernetes: one destination, a pod chosen as each connection opens) the
    /// gateway would go on sending to the pods that were there when it opened its connections, and the pods a scale-out
    /// adds would get nothing. A request under way, or an upgraded connection (a hub's WebSocket), is not cut.
    /// </summary>
    public const string ConnectionLifetimeKey = "Proxy:ConnectionLifetimeSeconds";

    public static readonly TimeSpan DefaultConnectionLifetime = TimeSpan.FromMinutes(1);

    public static TimeSpan ConnectionLifetime(IConfiguration configuration) =>
        configuration.GetValue<double?>(ConnectionLifetimeKey) is { } seconds and > 0
            ? TimeSpan.FromSeconds(seconds)
            : DefaultConnectionLifetime;

    private static ForwarderRequestConfig? RequestConfig(IConfiguration configuration) =>
        configuration.GetValue<double?>(ServiceTimeoutKey) is { } seconds and > 0
            ? new ForwarderRequestConfig { ActivityTimeout = TimeSpan.FromSeconds(seconds) }
            : null;

    /// <summary>The services that have an address configured, in start order.</summary>
    public static IReadOnlyList<string> ConfiguredServices(IConfiguration configuration) =>
        ResourceNames.Services.Where(s => !string.IsNullOrWhiteSpace(configuration[AddressKey(s)])).ToList();

    public static IReadOnlyList<RouteConfig> Routes(IEnumerable<GatewayRoute> table) =>
        table.Select(ToRouteConfig).ToList();

    /// <summary>
    /// Configuration section of DNS destination resolution, off unless <c>DnsDestinations:Enabled</c> is true: each
    /// destination's host name then becomes one destination per address (YARP's DNS destination resolver), resolved
    /// again every <c>RefreshPeriod</c> (default <see cref="DnsRefreshPeriod"/>); <c>AddressFamily</c> (InterNetwork or
    /// InterNetworkV6) limits the lookups to one family.
    /// </summary>
    public const string DnsDestinations = "DnsDestinations";

    /// <summary>How often resolved names are looked up again by default: pods come and go.</summary>
    public static readonly TimeSpan DnsRefreshPeriod = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Resolves destinations through DNS when <see cref="DnsDestinations"/> says so; else they stay as given.
    /// </summary>
    public static IReverseProxyBuilder AddDnsDestinations(this IReverseProxyBuilder proxy, IConfiguration configuration)
    {
        var section = configuration.GetSection(DnsDestinations);
        if (!section.GetValue<bool>("Enabled"))
            return proxy;
        proxy.AddDnsDestinationResolver(options =>
        {
            options.RefreshPeriod = DnsRefreshPeriod;
            section.Bind(options);
        });
        // YARP's resolver, asked through TolerantDnsResolver: a name that does not resolve costs only its destination
        var dns = proxy.Services.Last(d => d.ServiceType == typeof(IDestinationResolver));
        proxy.Services.Remove(dns);
        proxy.Services.AddSingleton<IDestinationResolver>(provider =>
            ActivatorUtilities.CreateInstance<TolerantDnsResolver>(
                provider,
                dns.ImplementationType is { } type
                    ? ActivatorUtilities.CreateInstance(provider, type)
                    : dns.ImplementationFactory!(provider)
            )
        );
        return proxy;
    }

    /// <summary>
    /// The cookie that pins a client to one instance of a service on <see cref="GatewayRoute.Pinned"/> routes.
    /// </summary>
    public const string AffinityCookie = ".Community.Affinity";

    /// <summary>
    /// The cluster of <paramref name="service"/>'s pinned routes: the same instances, with session affinity.
    /// </summary>
    public static string PinnedCluster(string service) => service + PinnedSuffix;

    private const string PinnedSuffix = "-pinned";

    /// <summary>
    /// The service whose instances a cluster (its own or its <see cref="PinnedCluster"/>) spreads over.
    /// </summary>
    public static string ServiceOf(string clusterId) =>
        clusterId.EndsWith(PinnedSuffix, StringComparison.Ordinal) ? clusterId[..^PinnedSuffix.Length] : clusterId;

    /// <summary>
    /// One cluster per service with a destination per instance (service-0, service-1...); a service with no address
    /// gets a cluster without destinations (its routes answer 503). A service with pinned routes gets a second cluster
    /// over the same instances with YARP's HashCookie affinity: the first answer sets the cookie naming its instance
    /// (hashed), later requests carrying it go there, and a request whose instance is gone is sent to another.
    /// </summary>
    public static IReadOnlyList<ClusterConfig> Clusters(
        IConfiguration configuration,
        IEnumerable<GatewayRoute>? routes = null
    )
    {
        var pinned = (routes ?? GatewayRoutes.All).Where(r => r.Pinned).Select(r => r.Service).ToHashSet();
        static Dictionary<string, DestinationConfig> Destinations(string service, IReadOnlyList<string> addresses) =>
            addresses
                .Select((address, i) => (Name: $"{service}-{i}", Address: address))
                .ToDictionary(d => d.Name, d => new DestinationConfig { Address = d.Address });
        return ResourceNames
            .Services.SelectMany(service =>
            {
                var addresses = Addresses(configuration, service);
                var cluster = new ClusterConfig
                {
                    ClusterId = service,
                    Destinations = Destinations(service, addresses),
                    HealthCheck = addresses.Count > 1 ? InstanceHealth : null,
                    HttpRequest = RequestConfig(configuration),
                };
                if (!pinned.Contains(service))
                    return [cluster];
                // A pinned name resolved through DNS (a headless Service) is many instances behind one address: they
                // are checked as any instances are, so a hung pod leaves the rotation.
                var pinnedAddresses = PinnedAddresses(configuration, service);
                var manyPinned =
                    pinnedAddresses.Count > 1
                    || (
                        configuration.GetValue<bool>($"{DnsDestinations}:Enabled")
                        && !string.IsNullOrWhiteSpace(configuration[PinnedAddressKey(service)])
                    );
                return new[]
                {
                    cluster,
                    cluster with
                    {
                        ClusterId = PinnedCluster(service),
                        Destinations = Destinations(service, pinnedAddresses),
                        HealthCheck = manyPinned ? InstanceHealth : null,
                        SessionAffinity = new SessionAffinityConfig
                        {
                            Enabled = true,
                            Policy = "HashCookie",
                            FailurePolicy = "Redistribute",
                            AffinityKeyName = AffinityCookie,
                            Cookie = new SessionAffinityCookieConfig
                            {
                                HttpOnly = true,
                                SameSite = SameSiteMode.Lax,
                                SecurePolicy = CookieSecurePolicy.SameAsRequest,
                            },
                        },
                    },
                };
            })
            .ToList();
    }

    /// <summary>
    /// Health of the instances of a service that has several: actively, each one's <c>/health/ready</c> every 5 s (two
    /// failures in a row take it out, a success brings it back); passively, a burst of failed forwards takes it out for
    /// 10 s. When every instance looks unhealthy they are all tried rather than none (HealthyOrPanic). A service behind
    /// one address (a Kubernetes Service, which has its own readiness) is not checked.
    /// </summary>
    public static readonly HealthCheckConfig InstanceHealth = new()
    {
        AvailableDestinationsPolicy = "HealthyOrPanic",
        Active = new ActiveHealthCheckConfig
        {
            Enabled = true,
            Interval = TimeSpan.FromSeconds(5),
            Timeout = TimeSpan.FromSeconds(2),
            Policy = "ConsecutiveFailures",
            Path = "/health/ready",
        },
        Passive = new PassiveHealthCheckConfig
        {
            Enabled = true,
            Policy = "TransportFailureRate",
            ReactivationPeriod = TimeSpan.FromSeconds(10),
        },
    };

    /// <summary>The route metadata key that marks a <see cref="GatewayRoute.ActsOnce"/> route.</summary>
    public const string ActsOnce = nameof(GatewayRoute.ActsOnce);

    private static readonly Dictionary<string, string> ActsOnceMetadata = new() { [ActsOnce] = "true" };

    private static RouteConfig ToRouteConfig(GatewayRoute route)
    {
        var config = new RouteConfig
        {
            RouteId = route.Id,
            ClusterId = route.Pinned ? PinnedCluster(route.Service) : route.Service,
            Match = new RouteMatch
            {
                Path = route.Path,
                Methods = route.Methods,
                QueryParameters = route.WithQueryParameter is { } name
                    ? [new RouteQueryParameter { Name = name, Mode = QueryParameterMatchMode.Exists }]
                    : null,
            },
            // null leaves the route to the fallback policy: an authenticated user.
            AuthorizationPolicy = route.Anonymous ? "anonymous" : null,
            RateLimiterPolicy = route.RateLimitPolicy,
            MaxRequestBodySize = route.MaxRequestBodyBytes,
            Metadata = route.ActsOnce ? ActsOnceMetadata : null,
        };
        if (route.UpstreamPath is null)
            return config;

        // The service then sees the gateway's host, so the servers it lists in its document point at the gateway.
        return config.WithTransformPathSet(route.UpstreamPath).WithTransformUseOriginalHostHeader();
    }
}
