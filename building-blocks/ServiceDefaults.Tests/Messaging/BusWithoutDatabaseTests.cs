using Community.ServiceDefaults.Messaging;
using Microsoft.Extensions.Hosting;

namespace Community.ServiceDefaults.Tests.Messaging;

/// <summary>A publisher-only process and an ephemeral-only one: no DbContext, no outbox, no inbox.</summary>
public sealed class BusWithoutDatabaseTests : IAsyncLifetime
{
    private IsolatedResources _resources = null!;

    public async Task InitializeAsync() =>
        _resources = await TestInfrastructure.IsolateAsync(nameof(BusWithoutDatabaseTests));

    public async Task DisposeAsync() => await _resources.DisposeAsync();

    [Fact]
    public async Task Hosts_without_a_database_start_become_ready_and_publish_to_ephemeral_consumers()
    {
        var publisher = await BusHosts.StartAsync(
            BusHosts.Settings(_resources, "publisher", database: false),
            b => b.AddEventBus("publisher")
        );
        var listener = await BusHosts.StartAsync(
            BusHosts.Settings(_resources, "listener", database: false),
            b => b.AddEventBus("listener", bus => bus.AddEphemeralConsumer<PingProbe>())
        );
        try
        {
            Assert.DoesNotContain(
                publisher.Services.GetServices<IHostedService>(),
                s => s.GetType().Name.StartsWith("OutboxDispatcher", StringComparison.Ordinal)
            );
            Assert.DoesNotContain(
                listener.Services.GetServices<IHostedService>(),
                s => s.GetType().Name.StartsWith("OutboxDispatcher", StringComparison.Ordinal)
            );

            var ping = new Ping(Guid.NewGuid());
            await BusHosts.Publish(publisher, ping, ping.Id); // straight to the broker: there is no outbox to write to
            var instance = listener.Services.GetRequiredService<BusInstance>();
            await Eventually.TrueAsync(
                () => Task.FromResult(PingProbe.Count(instance, ping.Id) == 1),
                "the listener never received the ping"
            );
        }
        finally
        {
            await BusHosts.StopAsync(listener);
            await BusHosts.StopAsync(publisher);
        }
    }
}
