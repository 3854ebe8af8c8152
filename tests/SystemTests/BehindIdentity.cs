extern alias GatewayApp;
using Microsoft.Extensions.DependencyInjection;
using GatewayProgram = GatewayApp::Program;

namespace Community.SystemTests;

/// <summary>
/// How the end-to-end fixtures put a real service beside identity, and the real gateway in front of both.
/// </summary>
internal static class BehindIdentity
{
    /// <summary>
    /// <typeparamref name="T"/> with its own database (<paramref name="own"/>) on identity's vhost
    /// (<paramref name="identityBroker"/>), so it hears identity's events as in production, and checking identity's
    /// tokens through its JWKS; on <paramref name="port"/> when given (a service restarted where the gateway expects
    /// it).
    /// </summary>
    public static ServiceHost<T> StartService<T>(
        string service,
        IsolatedResources own,
        string identityBroker,
        Uri identity,
        string feedKey,
        IReadOnlyDictionary<string, string?>? extra = null,
        Action<IServiceCollection>? services = null,
        int port = 0
    )
        where T : class =>
        new ServiceHost<T>(
            new Dictionary<string, string?>(extra ?? new Dictionary<string, string?>())
            {
                [$"ConnectionStrings:{ResourceNames.DatabaseOf(service)}"] = own.DatabaseConnectionString,
                [$"ConnectionStrings:{ResourceNames.RabbitMq}"] = identityBroker,
                [$"ConnectionStrings:{ResourceNames.Redis}"] = own.RedisConnectionString,
                ["RealTime:RedisKeyPrefix"] = own.RedisKeyPrefix,
                ["RateLimits:InvalidTokens:RedisKeyPrefix"] = own.RedisKeyPrefix + "invalid-tokens:",
                [$"Services:{ResourceNames.Identity}"] = Address(identity),
                ["Revocations:FeedKey"] = feedKey,
                // A write by a user identity has just registered waits for their UserRegistered (5 s in production);
                // on a loaded test machine the event can take longer than that.
                ["KnownUsers:Wait"] = "00:00:30",
                ["Logging:LogLevel:Default"] = "Warning",
            },
            services
        ).Start(port);

    /// <summary>The gateway in front of identity and <paramref name="service"/>.</summary>
    public static ServiceHost<GatewayProgram> StartGateway(
        Uri identity,
        string service,
        Uri serviceAddress,
        string feedKey
    ) =>
        new ServiceHost<GatewayProgram>(
            new Dictionary<string, string?>
            {
                [$"Services:{ResourceNames.Identity}"] = Address(identity),
                [$"Services:{service}"] = Address(serviceAddress),
                ["Revocations:FeedKey"] = feedKey,
                ["Logging:LogLevel:Default"] = "Warning",
            }
        ).Start();

    /// <summary>
    /// A client of the gateway that leaves redirects to the test: every request of an end-to-end test goes through it.
    /// </summary>
    public static HttpClient ClientOf(ServiceHost<GatewayProgram> gateway) =>
        new(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = gateway.BaseAddress };

    private static string Address(Uri uri) => uri.ToString().TrimEnd('/');
}
