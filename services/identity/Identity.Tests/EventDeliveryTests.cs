using System.Collections.Concurrent;
using Community.Contracts.Identity;
using Community.LocalInfrastructure;
using Community.ServiceDefaults.Data;
using Community.ServiceDefaults.Messaging;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Community.Identity.Tests;

/// <summary>The database of the test's consumer service: only the platform's outbox and inbox tables.</summary>
public sealed class ConsumerDbContext(DbContextOptions<ConsumerDbContext> options) : DbContext(options)
{
    protected override void OnModelCreating(ModelBuilder model) => model.UsePlatformConventions();
}

/// <summary>Every delivery of UserRegistered, duplicates included.</summary>
public sealed class RawRegistrationCounter : IConsumer<UserRegistered>
{
    public static readonly ConcurrentDictionary<Guid, int> Deliveries = new();

    public Task Consume(ConsumeContext<UserRegistered> context)
    {
        Deliveries.AddOrUpdate(context.Message.UserId, 1, (_, n) => n + 1);
        return Task.CompletedTask;
    }
}

/// <summary>
/// A consumer as services write them (inbox-protected). Usernames starting with "flaky_" fail
/// on their first attempt, to show the retry rolls the inbox row back and handles once.
/// </summary>
public sealed class InboxRegistrationCounter(ConsumerDbContext db, ILogger<InboxRegistrationCounter> logger)
    : IdempotentConsumer<UserRegistered, ConsumerDbContext>(db, logger)
{
    public static readonly ConcurrentDictionary<Guid, int> Handled = new();
    public static readonly ConcurrentDictionary<Guid, int> Attempts = new();

    protected override Task HandleAsync(ConsumeContext<UserRegistered> context, CancellationToken cancellationToken)
    {
        var attempt = Attempts.AddOrUpdate(context.Message.UserId, 1, (_, n) => n + 1);
        if (context.Message.Username.StartsWith("poison_", StringComparison.Ordinal))
            throw new InvalidOperationException("this message can never be handled");
        if (context.Message.Username.StartsWith("flaky_", StringComparison.Ordinal) && attempt == 1)
            throw new InvalidOperationException("first attempt fails on purpose");
        Handled.AddOrUpdate(context.Message.UserId, 1, (_, n) => n + 1);
        return Task.CompletedTask;
    }
}

/// <summary>
/// Identity publishes through its outbox to a RabbitMQ node of this class's own, which the
/// test stops and starts; a second service consumes with the ServiceDefaults bus and inbox.
/// </summary>
public sealed class EventDeliveryFixture : IdentityFixture
{
    public RabbitMqServer Rabbit { get; private set; } = null!;
    public IHost Consumer { get; private set; } = null!;

    /// <summary>Every delivery the consumer host finished with, a redelivery its inbox skipped included.</summary>
    public ConsumedMessages ConsumerDeliveries { get; } = new();

    public string BrokerUri { get; private set; } = "";
    private string _consumerDatabase = "";

    public override async Task InitializeAsync()
    {
        Rabbit = await TestInfrastructure.StartPrivateRabbitMqAsync();
        var vhost = BrokerUri = await Rabbit.CreateVhostAsync("outage");
        await base.InitializeAsync();
        await Host.DisposeAsync();
        Host = StartHost(brokerUri: vhost);
        Client.Dispose();
        Client = Host.NewClient();
        await BusReadyAsync(Host);

        var postgres = await TestInfrastructure.PostgresAsync();
        _consumerDatabase = Resources.Name + "_consumer";
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(
            new Dictionary<string, string?>
            {
                ["ConnectionStrings:testconsumer-db"] = await postgres.CreateDatabaseAsync(_consumerDatabase),
                ["ConnectionStrings:rabbitmq"] = vhost,
                ["Logging:LogLevel:Default"] = "Warning",
                ["DataProtection:KeyRingPath"] = KeyRingPath,
            }
        );
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddReceiveObserver(_ => ConsumerDeliveries);
        builder.AddServiceDatabase<ConsumerDbContext>("testconsumer");
        builder.AddEventBus(
            "testconsumer",
            bus => bus.UseOutbox<ConsumerDbContext>().AddConsumers(typeof(EventDeliveryFixture).Assembly)
        );
        Consumer = builder.Build();
        await Consumer.StartAsync();
        await Eventually.TrueAsync(
            async () =>
                (
                    await Consumer
                        .Services.GetRequiredService<HealthCheckService>()
                        .CheckHealthAsync(c => c.Tags.Contains("ready"))
                ).Status == HealthStatus.Healthy,
            "the consumer's bus never became ready"
        );
    }

    public override async Task DisposeAsync()
    {
        await Consumer.StopAsync();
        Consumer.Dispose();
        await base.DisposeAsync();
        await (await TestInfrastructure.PostgresAsync()).DropDatabaseAsync(_consumerDatabase);
        await Rabbit.DisposeAsync();
    }
}

public sealed class EventDeliveryTests(EventDeliveryFixture fx) : IClassFixture<EventDeliveryFixture>
{
    [Fact]
    public async Task UserRegistered_reaches_a_consumer_exactly_once_across_a_broker_outage()
    {
        await Eventually.TrueAsync(
            async () => (await fx.Client.Get("/health/ready")).IsSuccessStatusCode,
            "identity never became ready"
        );

        Guid userId;
        await fx.Rabbit.StopAsync();
        try
        {
            var registered = await fx.RegisterAsync("outage_user");
            userId = Guid.Parse(registered["user"]!["id"]!.GetValue<string>());

            // The account exists and the event waits in the outbox while the broker is down; readiness says so, and
            // stays 200: the service keeps serving (an orchestrator takes no instance out of traffic for the broker).
            Assert.Equal(
                0L,
                await fx.ScalarAsync<long>(
                    "SELECT count(*) FROM outbox_messages WHERE published_at IS NOT NULL "
                        + "AND type LIKE '%UserRegistered,%' AND payload->>'userId' = @id",
                    ("id", userId.ToString())
                )
            );
            await Eventually.TrueAsync(
                async () =>
                {
                    using var ready = await fx.Client.Get("/health/ready");
                    var checks = JsonNode.Parse(await ready.Content.ReadAsStringAsync())!["checks"]!;
                    return ready.StatusCode == HttpStatusCode.OK
                        && checks["broker"]!["status"]!.GetValue<string>() == "degraded"
                        && checks.AsObject().All(c => c.Value!["status"]!.GetValue<string>() != "unhealthy");
                },
                "readiness never reported the broker down, or did not stay 200: "
                    + await (await fx.Client.Get("/health/ready")).Content.ReadAsStringAsync()
            );
            // and stays so while the broker is away (the bus's own check, its endpoints retrying, included)
            for (var i = 0; i < 10; i++)
            {
                await Task.Delay(TimeSpan.FromSeconds(1));
                using var ready = await fx.Client.Get("/health/ready");
                Assert.True(ready.StatusCode == HttpStatusCode.OK, await ready.Content.ReadAsStringAsync());
            }
            Assert.False(InboxRegistrationCounter.Handled.ContainsKey(userId));
        }
        finally
        {
            await fx.Rabbit.StartAsync();
        }
        await Eventually.TrueAsync(
            () => Task.FromResult(InboxRegistrationCounter.Handled.ContainsKey(userId)),
            "UserRegistered never arrived after the broker came back",
            TimeSpan.FromSeconds(120)
        );
        await Eventually.TrueAsync(
            async () =>
                await fx.ScalarAsync<long>(
                    "SELECT count(*) FROM outbox_messages WHERE published_at IS NOT NULL "
                        + "AND type LIKE '%UserRegistered,%' AND payload->>'userId' = @id",
                    ("id", userId.ToString())
                ) == 1,
            "the outbox row was never marked published"
        );

        // A later event has gone through the same queues, so a duplicate of the first would have arrived by now.
        var later = await fx.RegisterAsync("after_outage");
        var laterId = Guid.Parse(later["user"]!["id"]!.GetValue<string>());
        await Eventually.TrueAsync(
            () =>
                Task.FromResult(
                    RawRegistrationCounter.Deliveries.ContainsKey(laterId)
                        && InboxRegistrationCounter.Handled.ContainsKey(laterId)
                ),
            "the second event never arrived"
        );

        Assert.Equal(1, RawRegistrationCounter.Deliveries[userId]);
        Assert.Equal(1, InboxRegistrationCounter.Handled[userId]);
    }

    [Fact]
    public async Task A_redelivered_message_is_handled_once()
    {
        var message = new UserRegistered(
            Guid.NewGuid(),
            DateTimeOffset.UtcNow,
            Guid.NewGuid(),
            "twice",
            null,
            "+15550000000",
            null,
            "member",
            "TWICE00000",
            null
        );
        var publisher = fx.Consumer.Services.GetRequiredService<IBus>();
        await publisher.Publish(message, context => context.MessageId = message.MessageId);
        await publisher.Publish(message, context => context.MessageId = message.MessageId);

        await Eventually.TrueAsync(
            () => Task.FromResult(RawRegistrationCounter.Deliveries.GetValueOrDefault(message.UserId) == 2),
            "both deliveries never arrived"
        );
        // The inbox consumer's queue is its own: both copies consumed there too, one skipped.
        await Eventually.TrueAsync(
            () =>
                Task.FromResult(fx.ConsumerDeliveries.Times(message.MessageId, nameof(InboxRegistrationCounter)) == 2),
            "the inbox consumer never finished with both deliveries"
        );
        Assert.Equal(1, InboxRegistrationCounter.Handled[message.UserId]);
    }

    private static async Task<uint> MessageCountAsync(string brokerUri, string queue)
    {
        await using var connection = await new RabbitMQ.Client.ConnectionFactory
        {
            Uri = new Uri(brokerUri),
        }.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        return (await channel.QueueDeclarePassiveAsync(queue)).MessageCount;
    }

    [Fact]
    public async Task A_message_that_always_fails_is_retried_a_bounded_number_of_times_then_dead_lettered()
    {
        var registered = await fx.RegisterAsync("poison_user");
        var userId = Guid.Parse(registered["user"]!["id"]!.GetValue<string>());
        var errorQueue =
            new KebabCaseEndpointNameFormatter("testconsumer", false).Consumer<InboxRegistrationCounter>() + "_error";

        await Eventually.TrueAsync(
            async () => await MessageCountAsync(fx.BrokerUri, errorQueue) == 1,
            $"the message never reached {errorQueue}",
            TimeSpan.FromSeconds(60)
        );
        Assert.Equal(6, InboxRegistrationCounter.Attempts[userId]); // the first try and five retries
        Assert.False(InboxRegistrationCounter.Handled.ContainsKey(userId));
        Assert.Equal(1, RawRegistrationCounter.Deliveries[userId]); // other consumers are not affected
    }

    [Fact]
    public async Task A_failed_attempt_rolls_back_and_the_retry_handles_the_message_once()
    {
        var registered = await fx.RegisterAsync("flaky_user");
        var userId = Guid.Parse(registered["user"]!["id"]!.GetValue<string>());
        await Eventually.TrueAsync(
            () => Task.FromResult(InboxRegistrationCounter.Handled.ContainsKey(userId)),
            "the retry never handled the message"
        );
        Assert.Equal(2, InboxRegistrationCounter.Attempts[userId]);
        Assert.Equal(1, InboxRegistrationCounter.Handled[userId]);
    }
}
