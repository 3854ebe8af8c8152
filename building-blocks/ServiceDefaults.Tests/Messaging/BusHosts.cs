using Community.Contracts;
using Community.ServiceDefaults.Data;
using Community.ServiceDefaults.Messaging;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Community.ServiceDefaults.Tests.Messaging;

/// <summary>Small generic hosts of a probe service, wired as services wire themselves, and broker queries.</summary>
public static class BusHosts
{
    /// <summary>
    /// Builds and starts a host, then waits until every readiness check (broker, bus, database) passes.
    /// </summary>
    public static async Task<IHost> StartAsync(
        IDictionary<string, string?> settings,
        Action<IHostApplicationBuilder> wire,
        TimeProvider? clock = null
    )
    {
        var host = Build(settings, wire, clock);
        await host.StartAsync();
        await Eventually.TrueAsync(
            async () =>
                (
                    await host
                        .Services.GetRequiredService<HealthCheckService>()
                        .CheckHealthAsync(c => c.Tags.Contains("ready"))
                ).Status == HealthStatus.Healthy,
            "the host never became ready"
        );
        return host;
    }

    public static IHost Build(
        IDictionary<string, string?> settings,
        Action<IHostApplicationBuilder> wire,
        TimeProvider? clock = null
    )
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(
            new Dictionary<string, string?>(settings)
            {
                ["Logging:LogLevel:Default"] = "Warning",
                // These hosts run as Production, which requires a key ring; the probes store no secrets, so it stays
                // empty.
                ["DataProtection:KeyRingPath"] = Path.Combine(Path.GetTempPath(), "community-bus-hosts-key-ring"),
            }
        );
        builder.Services.AddSingleton(clock ?? TimeProvider.System);
        wire(builder);
        return builder.Build();
    }

    public static Dictionary<string, string?> Settings(
        IsolatedResources resources,
        string service,
        bool database = true
    )
    {
        var settings = new Dictionary<string, string?>
        {
            [$"ConnectionStrings:{ResourceNames.RabbitMq}"] = resources.BrokerUri,
        };
        if (database)
            settings[$"ConnectionStrings:{ResourceNames.DatabaseOf(service)}"] = resources.DatabaseConnectionString;
        return settings;
    }

    /// <summary>
    /// The usual service: database, outbox and the inbox consumers of this assembly, plus (unless told not to) the
    /// ephemeral Ping probe.
    /// </summary>
    public static void WireService(
        IHostApplicationBuilder builder,
        string service,
        bool busFirst = false,
        bool ephemeral = true
    )
    {
        if (!busFirst)
            builder.AddServiceDatabase<ProbeDbContext>(service);
        builder.AddEventBus(
            service,
            bus =>
            {
                bus.UseOutbox<ProbeDbContext>().AddConsumers(typeof(BusHosts).Assembly);
                if (ephemeral)
                    bus.AddEphemeralConsumer<PingProbe>();
            }
        );
        if (busFirst)
            builder.AddServiceDatabase<ProbeDbContext>(service);
    }

    public static async Task StopAsync(IHost host)
    {
        await host.StopAsync();
        host.Dispose();
    }

    public static Task Publish<T>(IHost host, T message, Guid messageId)
        where T : class =>
        host.Services.GetRequiredService<IBus>().Publish(message, context => context.MessageId = messageId);

    public enum Queue
    {
        Missing,
        Shared,
        ExclusiveToAnotherConnection,
    }

    /// <summary>Whether the queue exists and whether another connection (a bus instance) owns it exclusively.</summary>
    public static async Task<Queue> QueueStateAsync(string brokerUri, string queue)
    {
        try
        {
            await QueueMessagesAsync(brokerUri, queue);
            return Queue.Shared;
        }
        catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 404)
        {
            return Queue.Missing;
        }
        catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 405)
        {
            return Queue.ExclusiveToAnotherConnection;
        }
    }

    public static async Task<uint> QueueMessagesAsync(string brokerUri, string queue)
    {
        await using var connection = await new ConnectionFactory { Uri = new Uri(brokerUri) }.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        return (await channel.QueueDeclarePassiveAsync(queue)).MessageCount;
    }

    public static string SharedQueue<TConsumer>(string service)
        where TConsumer : class, IConsumer =>
        new KebabCaseEndpointNameFormatter(service, includeNamespace: false).Consumer<TConsumer>();
}
