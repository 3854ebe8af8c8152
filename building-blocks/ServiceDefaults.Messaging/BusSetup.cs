using System.Reflection;
using System.Security.Authentication;
using Community.Contracts;
using Community.ServiceDefaults.Auth;
using Community.ServiceDefaults.Errors;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Community.ServiceDefaults.Messaging;

public static class BusSetup
{
    /// <summary>The bus's own stop timeout; <see cref="BoundedBusStop"/> bounds its stop just after.</summary>
    public static readonly TimeSpan BusStopTimeout = TimeSpan.FromSeconds(4);

    /// <summary>
    /// MassTransit on RabbitMQ (connection string "rabbitmq", an amqp:// URI) with publisher
    /// confirms. What runs on it is said in <paramref name="configure"/>: the outbox of a
    /// DbContext, inbox consumers on queues shared by the service's instances, ephemeral consumers
    /// on queues of this instance's own. Without any of them it is a publisher that sends straight
    /// to the broker. The service starts even when the broker is down, and is ready once its bus has connected (its
    /// queues bound); from then on it keeps serving while the broker is away (events wait in the outbox): /health/ready
    /// says so ("degraded", still 200), so no instance is taken out of traffic for it.
    /// </summary>
    public static IHostApplicationBuilder AddEventBus(
        this IHostApplicationBuilder builder,
        string service,
        Action<EventBusBuilder>? configure = null
    )
    {
        var uri = new Uri(
            builder.Configuration.GetConnectionString(ResourceNames.RabbitMq)
                ?? throw new InvalidOperationException($"ConnectionStrings:{ResourceNames.RabbitMq} is not configured.")
        );
        var instance = BusInstance.New(service);
        var bus = new EventBusBuilder(builder.Services);
        configure?.Invoke(bus);

        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(instance);
        builder
            .Services.AddOptions<MessagingOptions>()
            .Bind(builder.Configuration.GetSection(MessagingOptions.Section))
            .Validate(
                o => o.InboxRetention >= MessagingOptions.MinimumInboxRetention,
                $"{MessagingOptions.Section}:InboxRetention must be at least {MessagingOptions.MinimumInboxRetention}."
            )
            .Validate(
                o => o.OutboxBatchSize is >= 1 and <= MessagingOptions.MaximumOutboxBatchSize,
                $"{MessagingOptions.Section}:OutboxBatchSize must be between 1 and "
                    + $"{MessagingOptions.MaximumOutboxBatchSize}."
            )
            .Validate(
                o => o.OutboxBatchesInFlight is >= 1 and <= MessagingOptions.MaximumOutboxBatchesInFlight,
                $"{MessagingOptions.Section}:OutboxBatchesInFlight must be between 1 and "
                    + $"{MessagingOptions.MaximumOutboxBatchesInFlight}."
            )
            .Validate(
                o =>
                    o.OutboxPollInterval >= MessagingOptions.MinimumOutboxPollInterval
                    && o.OutboxPollInterval <= MessagingOptions.MaximumOutboxPollInterval,
                $"{MessagingOptions.Section}:OutboxPollInterval must be between "
                    + $"{MessagingOptions.MinimumOutboxPollInterval} and {MessagingOptions.MaximumOutboxPollInterval}."
            )
            .ValidateOnStart();
        builder.Services.AddSingleton<BusConnectedOnce>();
        builder
            .Services.AddHealthChecks()
            .Add(
                new HealthCheckRegistration(
                    "broker",
                    provider => new BrokerHealthCheck(
                        uri,
                        provider.GetRequiredService<IBusControl>(),
                        provider.GetRequiredService<BusConnectedOnce>()
                    ),
                    HealthStatus.Degraded,
                    ["ready"],
                    TimeSpan.FromSeconds(3)
                )
            );
        builder.Services.AddMassTransit(registration =>
        {
            // A platform does not phone home: no usage report to an outside host on start.
            registration.DisableUsageTelemetry();
            // MassTransit's own check ("masstransit-bus": endpoints not connected) says no more than degraded either:
            // its endpoints wait for the broker as the outbox does
            registration.ConfigureHealthCheckOptions(o => o.MinimalFailureStatus = HealthStatus.Degraded);
            registration.SetEndpointNameFormatter(new KebabCaseEndpointNameFormatter(service, includeNamespace: false));
            if (bus.ConsumerAssemblies.Count > 0)
                registration.AddConsumers(
                    type => !typeof(IEphemeralConsumer).IsAssignableFrom(type),
                    [.. bus.ConsumerAssemblies]
                );
            foreach (var ephemeral in bus.Ephemeral)
                ephemeral.Register(registration);
            foreach (var consumer in bus.PlatformConsumers)
                registration.AddConsumer(consumer);

            // Runs for the shared queues ConfigureEndpoints creates; the ephemeral ones are configured apart, without
            // retry. The first filter is the outer one: a database fault skips the inner schedule and waits out a
            // failover in the outer; any other transient fault gets the inner schedule.
            registration.AddConfigureEndpointsCallback(
                (_, endpoint) =>
                {
                    endpoint.UseMessageRetry(ConfigureDatabaseRetry);
                    endpoint.UseMessageRetry(ConfigureRetry);
                }
            );
            registration.UsingRabbitMq(
                (context, rabbit) =>
                {
                    rabbit.Host(
                        ToHostAddress(uri),
                        host =>
                        {
                            var (user, password) = Credentials(uri);
                            host.Username(user);
                            host.Password(password);
                            host.PublisherConfirmation = true;
                            host.Heartbeat(TimeSpan.FromSeconds(10));
                            // A managed broker (Amazon MQ, CloudAMQP) answers AMQP over TLS only, on whatever port.
                            if (IsTls(uri))
                                host.UseSsl(ssl =>
                                {
                                    ssl.Protocol = SslProtocols.Tls12 | SslProtocols.Tls13;
                                    ssl.ServerName = uri.Host;
                                });
                        }
                    );
                    foreach (var ephemeral in bus.Ephemeral)
                        ephemeral.Configure(rabbit, context, instance);
                    rabbit.ConfigureEndpoints(
                        context,
                        filter => filter.Exclude([.. bus.Ephemeral.Select(e => e.Consumer)])
                    );
                }
            );
        });
        if (bus.Retired.Count > 0)
            builder.Services.AddHostedService(sp => new RetiredQueues(
                uri,
                bus.Retired,
                RetiredQueues.Retry,
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILogger<RetiredQueues>>()
            ));
        builder.Services.Configure<MassTransitHostOptions>(options =>
        {
            options.WaitUntilStarted = false;
            // Within the host's own stop budget (ServiceDefaultsExtensions.ShutdownTimeout).
            options.StopTimeout = BusStopTimeout;
        });
        BoundedBusStop.Wrap(builder.Services, BusStopTimeout + TimeSpan.FromMilliseconds(500));
        return builder;
    }

    /// <summary>
    /// Transient faults are retried 5 times with backoff (about 13 s in all), then the message goes to the _error
    /// queue; permanent ones go there at once. Database faults are left to <see cref="ConfigureDatabaseRetry"/>.
    /// </summary>
    private static void ConfigureRetry(IRetryConfigurator retry)
    {
        retry.Ignore<Exception>(e => RetryPolicy.IsPermanent(e) || DatabaseFaults.IsUnreachable(e));
        retry.Exponential(5, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(400));
    }

    /// <summary>
    /// A database that cannot be reached or is shutting down (<see cref="DatabaseFaults.IsUnreachable"/>) is retried
    /// for about two minutes (<see cref="RetryPolicy.DatabaseIntervals"/>) before the message goes to the _error
    /// queue: a managed PostgreSQL's switchover or failover takes tens of seconds, and everything delivered meanwhile
    /// would otherwise be dead-lettered. A busy database (a timeout, a lock or serialization failure) keeps the
    /// ordinary retries. The message stays unacknowledged in the broker while it waits, holding one of the
    /// consumer's slots; a stopping bus cancels the wait and leaves it in its queue.
    /// </summary>
    private static void ConfigureDatabaseRetry(IRetryConfigurator retry)
    {
        retry.Handle<Exception>(DatabaseFaults.IsUnreachable);
        retry.Intervals([.. RetryPolicy.DatabaseIntervals]);
    }

    /// <summary>
    /// amqp://user:pass@host:port/vhost becomes rabbitmq://host:port/vhost (amqps://, rabbitmqs:// on 5671 by
    /// default: TLS).
    /// </summary>
    public static Uri ToHostAddress(Uri amqp)
    {
        var vhost = Uri.UnescapeDataString(amqp.AbsolutePath.Trim('/'));
        var scheme = IsTls(amqp) ? "rabbitmqs" : "rabbitmq";
        return new Uri(
            $"{scheme}://{amqp.Host}:{BrokerPort(amqp)}/{Uri.EscapeDataString(vhost.Length == 0 ? "/" : vhost)}"
        );
    }

    /// <summary>Whether the broker is spoken to over TLS: an amqps:// connection string.</summary>
    public static bool IsTls(Uri amqp) => amqp.Scheme is "amqps" or "rabbitmqs";

    /// <summary>The connection string's port, or AMQP's own: 5671 over TLS, 5672 otherwise.</summary>
    public static int BrokerPort(Uri amqp) =>
        amqp.IsDefaultPort || amqp.Port <= 0 ? (IsTls(amqp) ? 5671 : 5672) : amqp.Port;

    private static (string User, string Password) Credentials(Uri amqp)
    {
        var parts = amqp.UserInfo.Split(':', 2);
        return parts.Length == 2 && parts[0].Length > 0
            ? (Uri.UnescapeDataString(parts[0]), Uri.UnescapeDataString(parts[1]))
            : ("guest", "guest");
    }
}

/// <summary>What a service runs on its bus; see <see cref="BusSetup.AddEventBus"/>.</summary>
public sealed class EventBusBuilder
{
    private readonly IServiceCollection _services;

    internal EventBusBuilder(IServiceCollection services) => _services = services;

    internal List<Assembly> ConsumerAssemblies { get; } = [];
    internal List<EphemeralRegistration> Ephemeral { get; } = [];
    internal List<Type> PlatformConsumers { get; } = [];
    internal List<string> Retired { get; } = [];

    /// <summary>
    /// The shared queues of consumers this service no longer has, named as MassTransit named them
    /// (service-kebab-consumer): deleted once nothing consumes them (<see cref="RetiredQueues"/>), so the messages an
    /// earlier version's bindings still route there do not pile up in the broker.
    /// </summary>
    public EventBusBuilder RetireQueues(params string[] queues)
    {
        Retired.AddRange(queues.Except(Retired));
        return this;
    }

    /// <summary>
    /// Publishes the outbox rows of <typeparamref name="TContext"/> (written by
    /// <see cref="OutboxDbContextExtensions.AddIntegrationEvent"/>) and deletes old outbox and inbox
    /// rows. The context itself comes from AddServiceDatabase, called before or after.
    /// </summary>
    public EventBusBuilder UseOutbox<TContext>()
        where TContext : DbContext
    {
        _services.TryAddSingleton<OutboxSignal>();
        _services.AddHostedService<OutboxDispatcher<TContext>>();
        return this;
    }

    /// <summary>
    /// The consumers in <paramref name="assemblies"/> (ephemeral ones excepted), each on a queue its service's
    /// instances share.
    /// </summary>
    public EventBusBuilder AddConsumers(params Assembly[] assemblies)
    {
        ConsumerAssemblies.AddRange(assemblies);
        return this;
    }

    /// <summary>
    /// <typeparamref name="TConsumer"/> on a queue of this instance only (exclusive, auto-delete, not durable,
    /// short message TTL, no retry, failed messages dropped, consumed one at a time in order): every instance gets
    /// every message.
    /// </summary>
    public EventBusBuilder AddEphemeralConsumer<TConsumer>()
        where TConsumer : class, IEphemeralConsumer
    {
        if (Ephemeral.All(e => e.Consumer != typeof(TConsumer)))
            Ephemeral.Add(EphemeralRegistration.For<TConsumer>());
        return this;
    }

    /// <summary>
    /// Refuses the access tokens of ended sessions: identity's revocations arrive on an ephemeral queue
    /// of this instance, and its feed is read on start and every 30 s for what the queue missed. The instance is not
    /// ready until the feed was read once (with a feed key configured): it would pass tokens revoked minutes ago.
    /// </summary>
    public EventBusBuilder FollowSessionRevocations()
    {
        _services.AddRevocationFeed(TimeSpan.FromSeconds(30));
        return AddEphemeralConsumer<SessionRevocationConsumer>();
    }

    /// <summary>
    /// Writes by users identity never announced (or deleted) are refused with 403 after a short wait for the
    /// announcement (<see cref="KnownUsersOptions"/>), during which identity is asked to announce them again: the
    /// service keeps <c>known_users</c> from UserRegistered and UserDeleted on a queue its instances share. Needs the
    /// service's database (AddServiceDatabase).
    /// </summary>
    public EventBusBuilder RequireKnownUsers()
    {
        _services
            .AddOptions<KnownUsersOptions>()
            .BindConfiguration(KnownUsersOptions.Section)
            .Validate(
                o => o.AskAfter >= TimeSpan.Zero && o.AskAfter < o.Wait,
                $"{KnownUsersOptions.Section}:AskAfter must be at least 0 and shorter than "
                    + $"{KnownUsersOptions.Section}:Wait (identity would never be asked)."
            )
            .ValidateOnStart();
        _services.TryAddSingleton<IKnownSubjects, KnownUsers>();
        if (!PlatformConsumers.Contains(typeof(KnownUsersConsumer)))
            PlatformConsumers.Add(typeof(KnownUsersConsumer));
        return this;
    }

    internal sealed record EphemeralRegistration(
        Type Consumer,
        Action<IBusRegistrationConfigurator> Register,
        Action<IRabbitMqBusFactoryConfigurator, IBusRegistrationContext, BusInstance> Configure
    )
    {
        public static EphemeralRegistration For<TConsumer>()
            where TConsumer : class, IEphemeralConsumer =>
            new(
                typeof(TConsumer),
                registration => registration.AddConsumer<TConsumer>(),
                (rabbit, context, instance) =>
                    rabbit.ReceiveEndpoint(
                        instance.QueueFor<TConsumer>(),
                        endpoint =>
                        {
                            // Owned by this instance's connection: no other process can consume from it, and it goes
                            // when the connection does.
                            endpoint.Exclusive = true;
                            endpoint.Durable = false;
                            endpoint.AutoDelete = true;
                            endpoint.SetQueueArgument("x-message-ttl", BusInstance.MessageTimeToLive);
                            endpoint.SetQueueArgument("x-expires", BusInstance.QueueExpiry);
                            // One at a time, in the order published: no message overtakes an earlier one.
                            endpoint.ConcurrentMessageLimit = 1;
                            // A stale real-time message is worth nothing: no _error or _skipped queue per instance.
                            endpoint.DiscardFaultedMessages();
                            endpoint.DiscardSkippedMessages();
                            endpoint.ConfigureConsumer<TConsumer>(context);
                        }
                    )
            );
    }
}
