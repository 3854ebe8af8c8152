using System.Reflection;
using Community.Contracts;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Community.ServiceDefaults.Messaging;

public static class BusSetup
{
    /// <summary>
    /// MassTransit on RabbitMQ (connection string "rabbitmq", an amqp:// URI) with publisher
    /// confirms, the outbox dispatcher for <typeparamref name="TContext"/>, consumers found in
    /// <paramref name="consumerAssemblies"/> on queues prefixed by the service name, bounded
    /// retries and then the _error queue. The service starts even when the broker is down;
    /// /health/ready says so until it is back.
    /// </summary>
    public static IHostApplicationBuilder AddEventBus<TContext>(
        this IHostApplicationBuilder builder, string service, Assembly[] consumerAssemblies,
        Action<IBusRegistrationConfigurator>? configure = null)
        where TContext : DbContext
    {
        var uri = new Uri(builder.Configuration.GetConnectionString(ResourceNames.RabbitMq)
            ?? throw new InvalidOperationException($"ConnectionStrings:{ResourceNames.RabbitMq} is not configured."));

        builder.Services.AddHostedService<OutboxDispatcher<TContext>>();
        builder.Services.AddHealthChecks().Add(new Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckRegistration(
            "broker", _ => new BrokerHealthCheck(uri), Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Unhealthy, ["ready"], TimeSpan.FromSeconds(3)));
        builder.Services.AddMassTransit(bus =>
        {
            bus.SetEndpointNameFormatter(new KebabCaseEndpointNameFormatter(service, includeNamespace: false));
            bus.AddConsumers(consumerAssemblies);
            configure?.Invoke(bus);
            bus.UsingRabbitMq((context, rabbit) =>
            {
                rabbit.Host(ToHostAddress(uri), host =>
                {
                    var (user, password) = Credentials(uri);
                    host.Username(user);
                    host.Password(password);
                    host.PublisherConfirmation = true;
                    host.Heartbeat(TimeSpan.FromSeconds(10));
                });
                rabbit.UseMessageRetry(retry => retry.Exponential(5, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(400)));
                rabbit.ConfigureEndpoints(context);
            });
        });
        builder.Services.Configure<MassTransitHostOptions>(options =>
        {
            options.WaitUntilStarted = false;
            options.StopTimeout = TimeSpan.FromSeconds(10);
        });
        return builder;
    }

    /// <summary>amqp://user:pass@host:port/vhost becomes rabbitmq://host:port/vhost.</summary>
    public static Uri ToHostAddress(Uri amqp)
    {
        var vhost = Uri.UnescapeDataString(amqp.AbsolutePath.Trim('/'));
        var port = amqp.IsDefaultPort || amqp.Port <= 0 ? 5672 : amqp.Port;
        return new Uri($"rabbitmq://{amqp.Host}:{port}/{Uri.EscapeDataString(vhost.Length == 0 ? "/" : vhost)}");
    }

    private static (string User, string Password) Credentials(Uri amqp)
    {
        var parts = amqp.UserInfo.Split(':', 2);
        return parts.Length == 2 && parts[0].Length > 0
            ? (Uri.UnescapeDataString(parts[0]), Uri.UnescapeDataString(parts[1]))
            : ("guest", "guest");
    }
}
