using Community.ServiceDefaults.Messaging;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Community.ServiceDefaults.RealTime;

/// <summary>Clients.User(id) addresses a user by the token's sub, the platform's user id.</summary>
public sealed class SubjectUserIdProvider : IUserIdProvider
{
    public string? GetUserId(HubConnectionContext connection) => connection.User.FindFirst(Auth.ClaimNames.Subject)?.Value;
}

public static class RealTimeSetup
{
    /// <summary>
    /// SignalR for a service that runs several instances: the RabbitMQ backplane as every hub's
    /// lifetime manager, the session guard (ended sessions lose their connections), a per-connection
    /// call rate limit and message size limit ("RealTime" section, <see cref="RealTimeOptions"/>), and refusals
    /// (HubException, domain exceptions) answered and logged as REST refusals are (<see cref="HubRefusalFilter"/>).
    /// Needs <see cref="AddRealTimeBackplane"/> on the service's bus; hubs are mapped with <see cref="MapRealTimeHub{THub}"/>.
    /// </summary>
    public static ISignalRServerBuilder AddRealTime(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<RealTimeOptions>()
            .BindConfiguration(RealTimeOptions.Section)
            .Validate(o => o.CallsPerSecond > 0 && o.Burst >= 1 && o.MaxMessageBytes > 0, $"{RealTimeOptions.Section}: CallsPerSecond, Burst and MaxMessageBytes must be positive.")
            .ValidateOnStart();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<BackplaneRouter>();
        builder.Services.TryAddSingleton<HubSessionGuard>();
        builder.Services.TryAddSingleton<HubRateLimitFilter>();
        builder.Services.TryAddSingleton<HubRefusalFilter>();
        var signalR = builder.Services.AddSignalR(hub =>
        {
            // Outermost, so the other filters' refusals are logged as refusals too.
            hub.AddFilter<HubRefusalFilter>();
            // The guard runs first, so a call of an ended session is never counted or served.
            hub.AddFilter<HubSessionGuard>();
            hub.AddFilter<HubRateLimitFilter>();
        });
        // Hub arguments and client calls in the platform's wire format (snake_case, strict), as the HTTP APIs.
        signalR.AddJsonProtocol(json => ServiceDefaultsExtensions.ConfigureJson(json.PayloadSerializerOptions));
        builder.Services.AddOptions<HubOptions>().Configure<IOptions<RealTimeOptions>>((hub, limits) => hub.MaximumReceiveMessageSize = limits.Value.MaxMessageBytes);
        // After AddSignalR, whose in-process manager and user ids (a claim our tokens do not carry) these replace.
        builder.Services.AddSingleton(typeof(HubLifetimeManager<>), typeof(RabbitMqHubLifetimeManager<>));
        builder.Services.AddSingleton<IUserIdProvider, SubjectUserIdProvider>();
        builder.Services.AddSingleton(typeof(HubConnectionHandler<>), typeof(RefusalAwareHubConnectionHandler<>));
        return signalR;
    }

    /// <summary>The backplane's consumer on a queue of this instance's own (see <see cref="IEphemeralConsumer"/>).</summary>
    public static EventBusBuilder AddRealTimeBackplane(this EventBusBuilder bus) => bus.AddEphemeralConsumer<BackplaneConsumer>();

    /// <summary>
    /// Maps <typeparamref name="THub"/> at <paramref name="pattern"/> (under /hubs, where the token may come as
    /// access_token): WebSockets only, signed-in users only, and closed when the token expires.
    /// </summary>
    public static HubEndpointConventionBuilder MapRealTimeHub<THub>(this IEndpointRouteBuilder endpoints, string pattern) where THub : Hub
    {
        var hub = endpoints.MapHub<THub>(pattern, options =>
        {
            options.Transports = HttpTransportType.WebSockets;
            options.CloseOnAuthenticationExpiration = true;
        });
        hub.RequireAuthorization();
        return hub;
    }
}
