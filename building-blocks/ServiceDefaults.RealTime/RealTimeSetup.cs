using Community.Contracts;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.AspNetCore.SignalR.StackExchangeRedis;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;

namespace Community.ServiceDefaults.RealTime;

/// <summary>Clients.User(id) addresses a user by the token's sub, the platform's user id.</summary>
public sealed class SubjectUserIdProvider : IUserIdProvider
{
    public string? GetUserId(HubConnectionContext connection) =>
        connection.User.FindFirst(Auth.ClaimNames.Subject)?.Value;
}

public static class RealTimeSetup
{
    /// <summary>
    /// SignalR for a service that runs several instances: SignalR's Redis backplane (ConnectionStrings:redis, channels
    /// under <see cref="RealTimeOptions.RedisKeyPrefix"/> and the service's name), the session guard (ended sessions
    /// lose their connections), per-connection call rate and message size limits, per-user call and connection limits
    /// shared by every instance in the same Redis ("RealTime" section, <see cref="RealTimeOptions"/>), and refusals
    /// (HubException, domain exceptions) answered and logged as REST refusals are (<see cref="HubRefusalFilter"/>).
    /// Hubs are mapped with <see cref="MapRealTimeHub{THub}"/>.
    /// </summary>
    public static ISignalRServerBuilder AddRealTime(this IHostApplicationBuilder builder)
    {
        builder
            .Services.AddOptions<RealTimeOptions>()
            .BindConfiguration(RealTimeOptions.Section)
            .Validate(
                o => o.CallsPerSecond > 0 && o.Burst >= 1 && o.MaxMessageBytes > 0,
                $"{RealTimeOptions.Section}: CallsPerSecond, Burst and MaxMessageBytes must be positive."
            )
            .Validate(
                o =>
                    o.UserCallsPerSecond > 0
                    && o.UserBurst >= 1
                    && o.MaxConnectionsPerUser >= 1
                    && o.ConnectionLease >= TimeSpan.FromSeconds(3)
                    && o.UserCallLease >= 1
                    && o.UserCallLeaseTime >= TimeSpan.FromSeconds(1),
                $"{RealTimeOptions.Section}: UserCallsPerSecond, UserBurst, MaxConnectionsPerUser and UserCallLease "
                    + "must be positive, ConnectionLease at least 3 seconds, UserCallLeaseTime at least 1 second."
            )
            .ValidateOnStart();
        var redis =
            builder.Configuration.GetConnectionString(ResourceNames.Redis)
            ?? throw new InvalidOperationException(
                $"ConnectionStrings:{ResourceNames.Redis} is not configured (the SignalR backplane and "
                    + "per-user hub limits live in Redis)."
            );
        var service = builder.Environment.ApplicationName;
        var clientName = $"{service}-{Environment.MachineName}";
        builder.Services.TryAddSingleton(new RealTimeRedis(redis, clientName));
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<HubSessionGuard>();
        builder.Services.TryAddSingleton<RealTimeRedisConnection>();
        builder.Services.TryAddSingleton<HubUserLimits>();
        builder.Services.TryAddSingleton<HubConnectionCapFilter>();
        builder.Services.TryAddSingleton<HubRateLimitFilter>();
        builder.Services.TryAddSingleton<HubRefusalFilter>();
        builder.Services.AddHostedService<HubConnectionLeases>();
        builder.Services.TryAddSingleton<HubGracefulStop>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<HubGracefulStop>());
        var signalR = builder.Services.AddSignalR(hub =>
        {
            // Outermost, so the other filters' refusals are logged as refusals too.
            hub.AddFilter<HubRefusalFilter>();
            // The cap next: a refused connection never reaches the guard (which forgets only disconnected ones).
            hub.AddFilter<HubConnectionCapFilter>();
            // The guard runs before the call limits, so a call of an ended session is never counted or served.
            hub.AddFilter<HubSessionGuard>();
            hub.AddFilter<HubRateLimitFilter>();
        });
        // Hub arguments and client calls in the platform's wire format (snake_case, strict), as the HTTP APIs.
        signalR.AddJsonProtocol(json => ServiceDefaultsExtensions.ConfigureJson(json.PayloadSerializerOptions));
        // Registered after SignalR's own JSON protocol, so it is the "json" protocol clients get (the last of a name
        // wins).
        builder.Services.TryAddSingleton<HubSignatures>();
        builder.Services.AddSingleton<IHubProtocol, ExplainingJsonHubProtocol>();
        builder
            .Services.AddOptions<HubOptions>()
            .Configure<IOptions<RealTimeOptions>>(
                (hub, limits) => hub.MaximumReceiveMessageSize = limits.Value.MaxMessageBytes
            );
        // The backplane: every instance publishes each send to Redis and writes what it hears to its own connections.
        signalR.AddStackExchangeRedis(redis);
        builder
            .Services.AddOptions<RedisOptions>()
            .Configure<IOptions<RealTimeOptions>>(
                (backplane, limits) =>
                {
                    // Services (and test classes) sharing one Redis never hear each other's hubs.
                    backplane.Configuration.ChannelPrefix = RedisChannel.Literal(
                        $"{limits.Value.RedisKeyPrefix}{service}:"
                    );
                    backplane.Configuration.ClientName ??= clientName;
                    // A failed first connect throws, so the backplane connects (and subscribes) again at the next use.
                    backplane.Configuration.AbortOnConnectFail = true;
                    // As RealTimeRedisConnection: the .NET thread pool, no dedicated threads.
                    backplane.Configuration.SocketManager = SocketManager.ThreadPool;
                }
            );
        // After AddSignalR, whose user ids (a claim our tokens do not carry) this replaces.
        builder.Services.AddSingleton<IUserIdProvider, SubjectUserIdProvider>();
        builder.Services.AddSingleton(typeof(HubConnectionHandler<>), typeof(RefusalAwareHubConnectionHandler<>));
        return signalR;
    }

    /// <summary>
    /// Maps <typeparamref name="THub"/> at <paramref name="pattern"/> (under /hubs, where the token may come as
    /// access_token): WebSockets only, signed-in users only, and closed when the token expires. A user who already
    /// holds <see cref="RealTimeOptions.MaxConnectionsPerUser"/> connections is answered 429 at negotiate and at the
    /// WebSocket request (a race past this check is closed by <see cref="HubConnectionCapFilter"/>).
    /// </summary>
    public static HubEndpointConventionBuilder MapRealTimeHub<THub>(
        this IEndpointRouteBuilder endpoints,
        string pattern
    )
        where THub : Hub
    {
        var hub = endpoints.MapHub<THub>(
            pattern,
            options =>
            {
                options.Transports = HttpTransportType.WebSockets;
                options.CloseOnAuthenticationExpiration = true;
            }
        );
        hub.RequireAuthorization();
        endpoints.ServiceProvider.GetRequiredService<HubSignatures>().Add(typeof(THub));
        hub.Add(endpoint =>
        {
            var next = RefuseOverConnectionCap(typeof(THub).Name, endpoint.RequestDelegate!);
            // The connection's own address (not negotiate's) takes the WebSocket and nothing else: any other request
            // there is answered as every error is, rather than with the library's plain-text line.
            endpoint.RequestDelegate = endpoint.Metadata.OfType<NegotiateMetadata>().Any()
                ? next
                : RefuseOtherThanWebSockets(pattern, next);
        });
        return hub;
    }

    private static string WebSocketsOnly(string pattern) =>
        $"This hub takes WebSocket connections only: POST {pattern}/negotiate?negotiateVersion=1, then open a "
        + $"WebSocket to {pattern}?id=<connectionToken>.";

    /// <summary>
    /// A WebSocket's opening request (an HTTP/1.1 upgrade, or HTTP/2's extended CONNECT), as the hub's own WebSocket
    /// middleware, which runs after this, will read it; the handshake itself is still checked there.
    /// </summary>
    private static bool AsksForWebSocket(HttpContext http) =>
        http.Features.Get<IHttpExtendedConnectFeature>() is { IsExtendedConnect: true }
        || (
            HttpMethods.IsGet(http.Request.Method)
            && http.Request.Headers.Upgrade.ToString().Contains("websocket", StringComparison.OrdinalIgnoreCase)
        );

    private static RequestDelegate RefuseOtherThanWebSockets(string pattern, RequestDelegate next) =>
        http =>
            AsksForWebSocket(http)
                ? next(http)
                : TypedResults
                    .Problem(
                        WebSocketsOnly(pattern),
                        statusCode: StatusCodes.Status400BadRequest,
                        title: "WebSocket connections only"
                    )
                    .ExecuteAsync(http);

    internal static string TooManyConnections(int cap) =>
        $"Too many connections: at most {cap} open hub connections per user. Close one first.";

    private static RequestDelegate RefuseOverConnectionCap(string hub, RequestDelegate next) =>
        async http =>
        {
            // Negotiate (POST) and the WebSocket request (GET, or CONNECT over HTTP/2); not DELETE, which ends a
            // connection.
            var method = http.Request.Method;
            var connecting = HttpMethods.IsPost(method) || HttpMethods.IsGet(method) || HttpMethods.IsConnect(method);
            if (
                connecting
                && http.User.FindFirst(Auth.ClaimNames.Subject)?.Value is { } user
                && await http.RequestServices.GetRequiredService<HubUserLimits>().IsAtConnectionCapAsync(hub, user)
            )
            {
                var cap = http
                    .RequestServices.GetRequiredService<IOptions<RealTimeOptions>>()
                    .Value.MaxConnectionsPerUser;
                // A slot frees when one of the user's connections closes: nothing to wait for but that, so a short
                // pause.
                http.Response.Headers.RetryAfter = "1";
                await TypedResults
                    .Problem(
                        TooManyConnections(cap),
                        statusCode: StatusCodes.Status429TooManyRequests,
                        title: "Too many connections"
                    )
                    .ExecuteAsync(http);
                return;
            }
            await next(http);
        };
}
