using Community.ServiceDefaults.Messaging;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Community.ServiceDefaults.Tests.Messaging;

/// <summary>The queues of consumers a service no longer has are deleted, once nothing consumes them, with what they
/// hold; the broker's other queues are untouched.</summary>
public sealed class RetiredQueuesTests : IAsyncLifetime
{
    private IsolatedResources _resources = null!;

    public async Task InitializeAsync() =>
        _resources = await TestInfrastructure.IsolateAsync(nameof(RetiredQueuesTests));

    public async Task DisposeAsync() => await _resources.DisposeAsync();

    /// <summary>A queue bound through an exchange of its name, as MassTransit binds a consumer's, holding a
    /// message.</summary>
    private async Task DeclareWithMessageAsync(IChannel channel, string queue)
    {
        await channel.ExchangeDeclareAsync(queue, ExchangeType.Fanout, durable: true);
        await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false);
        await channel.QueueBindAsync(queue, queue, "");
        await channel.BasicPublishAsync(queue, "", "an event nobody consumes any more"u8.ToArray());
        await Eventually.TrueAsync(
            async () => await BusHosts.QueueMessagesAsync(_resources.BrokerUri, queue) == 1,
            $"{queue} never held its message"
        );
    }

    [Fact]
    public async Task A_service_deletes_its_retired_queues_on_start_and_leaves_the_others()
    {
        await using (var connection = await Factory().CreateConnectionAsync())
        await using (var channel = await connection.CreateChannelAsync())
        {
            await DeclareWithMessageAsync(channel, "probe-old-notifier");
            await DeclareWithMessageAsync(channel, "probe-kept");
        }
        var logs = new LogCapture();
        var settings = BusHosts.Settings(_resources, "probe", database: false);
        settings[$"Logging:LogLevel:{typeof(RetiredQueues).FullName}"] = "Information";
        var host = await BusHosts.StartAsync(
            settings,
            b =>
            {
                logs.AddTo(b.Services);
                b.AddEventBus("probe", bus => bus.RetireQueues("probe-old-notifier", "probe-never-made"));
            }
        );
        try
        {
            await Eventually.TrueAsync(
                async () =>
                    await BusHosts.QueueStateAsync(_resources.BrokerUri, "probe-old-notifier")
                    == BusHosts.Queue.Missing,
                "the retired queue was never deleted"
            );
            Assert.Equal(1u, await BusHosts.QueueMessagesAsync(_resources.BrokerUri, "probe-kept"));
            // Said once the broker answered the deletion: a moment after the queue is gone.
            await Eventually.TrueAsync(
                () => Task.FromResult(logs.Of(typeof(RetiredQueues).FullName!, LogLevel.Information).Count > 0),
                "the deletion was never logged"
            );
            var deleted = Assert.Single(logs.Of(typeof(RetiredQueues).FullName!, LogLevel.Information));
            Assert.Contains("probe-old-notifier", deleted.Message);
            Assert.Contains("(1 messages", deleted.Message);
            // A queue that was never there is no failure either (and nothing to say).
            Assert.DoesNotContain(logs.AtLeast(LogLevel.Warning), e => e.Category == typeof(RetiredQueues).FullName);
            await using var connection = await Factory().CreateConnectionAsync();
            await using var channel = await connection.CreateChannelAsync();
            await Assert.ThrowsAnyAsync<Exception>(() => channel.ExchangeDeclarePassiveAsync("probe-old-notifier"));
        }
        finally
        {
            await BusHosts.StopAsync(host);
        }
    }

    [Fact]
    public async Task A_retired_queue_still_consumed_by_an_older_instance_is_deleted_once_that_consumer_goes()
    {
        await using var connection = await Factory().CreateConnectionAsync();
        var channel = await connection.CreateChannelAsync();
        await DeclareWithMessageAsync(channel, "probe-draining");
        // An instance of the version before still consumes it (and has not acknowledged what it holds).
        var consumerTag = await channel.BasicConsumeAsync(
            "probe-draining",
            false,
            new AsyncEventingBasicConsumer(channel)
        );
        var logs = new LogCapture();
        using var loggers = LoggerFactory.Create(l => l.AddProvider(logs).SetMinimumLevel(LogLevel.Debug));
        using var retired = new RetiredQueues(
            new Uri(_resources.BrokerUri),
            ["probe-draining"],
            TimeSpan.FromMilliseconds(200),
            TimeProvider.System,
            loggers.CreateLogger<RetiredQueues>()
        );
        await retired.StartAsync(CancellationToken.None);
        try
        {
            await Eventually.TrueAsync(
                () => Task.FromResult(logs.Entries.Count(e => e.Message.Contains("still has a consumer")) >= 2),
                "the retirement never found the queue in use"
            );
            Assert.Equal(BusHosts.Queue.Shared, await BusHosts.QueueStateAsync(_resources.BrokerUri, "probe-draining"));

            await channel.BasicCancelAsync(consumerTag);
            await channel.DisposeAsync();
            await Eventually.TrueAsync(
                async () =>
                    await BusHosts.QueueStateAsync(_resources.BrokerUri, "probe-draining") == BusHosts.Queue.Missing,
                "the retired queue was not deleted after its last consumer went"
            );
            Assert.Empty(logs.AtLeast(LogLevel.Warning));
        }
        finally
        {
            await retired.StopAsync(CancellationToken.None);
        }
    }

    private ConnectionFactory Factory() => new() { Uri = new Uri(_resources.BrokerUri) };
}
