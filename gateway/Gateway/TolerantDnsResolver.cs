using System.Net.Sockets;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.ServiceDiscovery;

namespace Community.Gateway;

/// <summary>
/// YARP's DNS destination resolver asked one destination at a time: a name that does not resolve (a headless Service
/// while none of its pods is ready) leaves only its own cluster without that destination until the next lookup (its
/// routes answer 503), where one failure would fail the whole configuration and with it the gateway's start.
/// </summary>
internal sealed class TolerantDnsResolver(
    IDestinationResolver dns,
    IOptionsMonitor<DnsDestinationResolverOptions> options,
    ILogger<TolerantDnsResolver> logger
) : IDestinationResolver
{
    public async ValueTask<ResolvedDestinationCollection> ResolveDestinationsAsync(
        IReadOnlyDictionary<string, DestinationConfig> destinations,
        CancellationToken cancellationToken
    )
    {
        var resolved = new Dictionary<string, DestinationConfig>();
        foreach (var (name, destination) in destinations)
        {
            try
            {
                var alone = new Dictionary<string, DestinationConfig> { [name] = destination };
                var one = await dns.ResolveDestinationsAsync(alone, cancellationToken);
                foreach (var (id, config) in one.Destinations)
                    resolved[id] = config;
            }
            // YARP wraps the lookup's SocketException ("Failed to resolve host")
            catch (InvalidOperationException e) when (e.InnerException is SocketException lookup)
            {
                logger.LogWarning(
                    "{Destination} ({Address}) does not resolve ({Error}): left out until the next lookup",
                    name,
                    destination.Address,
                    lookup.SocketErrorCode
                );
            }
        }
        var period =
            options.CurrentValue.RefreshPeriod is { } every && every > TimeSpan.Zero
                ? every
                : GatewayProxyConfig.DnsRefreshPeriod;
        var refresh = new CancellationChangeToken(new CancellationTokenSource(period).Token);
        return new ResolvedDestinationCollection(resolved, refresh);
    }
}
