using Community.ServiceDefaults.Messaging;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Community.ServiceDefaults.Tests.Messaging;

/// <summary>
/// Readiness and the broker: a service whose bus never connected is not ready (its queues may not be bound, and what is
/// published meanwhile reaches no queue of theirs); once it has, a broker that goes away only degrades it.
/// </summary>
public sealed class BrokerReadinessTests : IAsyncLifetime
{
    private IsolatedResources _resources = null!;

    public async Task InitializeAsync() =>
        _resources = await TestInfrastructure.IsolateAsync(nameof(BrokerReadinessTests));

    public async Task DisposeAsync() => await _resources.DisposeAsync();

    [Fact]
    public async Task A_service_whose_bus_never_connected_is_not_ready()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop(); // nothing listens there now
        var settings = BusHosts.Settings(_resources, "never-connected", database: false);
        settings[$"ConnectionStrings:{Community.Contracts.ResourceNames.RabbitMq}"] =
            $"amqp://guest:guest@127.0.0.1:{port}/";
        var host = BusHosts.Build(
            settings,
            b => b.AddEventBus("never-connected", bus => bus.AddEphemeralConsumer<PingProbe>())
        );
        await host.StartAsync();
        try
        {
            // past the bus's first attempts: still not ready, and never merely degraded
            for (var i = 0; i < 5; i++)
            {
                var report = await host
                    .Services.GetRequiredService<HealthCheckService>()
                    .CheckHealthAsync(c => c.Tags.Contains("ready"));
                Assert.Equal(HealthStatus.Unhealthy, report.Status);
                Assert.Equal(HealthStatus.Unhealthy, report.Entries["broker"].Status);
                await Task.Delay(TimeSpan.FromSeconds(1));
            }
        }
        finally
        {
            await BusHosts.StopAsync(host);
        }
    }

    [Fact]
    public async Task A_service_whose_bus_connected_is_ready_and_healthy()
    {
        var host = await BusHosts.StartAsync(
            BusHosts.Settings(_resources, "connected", database: false),
            b => b.AddEventBus("connected", bus => bus.AddEphemeralConsumer<PingProbe>())
        );
        try
        {
            var report = await host
                .Services.GetRequiredService<HealthCheckService>()
                .CheckHealthAsync(c => c.Tags.Contains("ready"));
            Assert.Equal(HealthStatus.Healthy, report.Entries["broker"].Status);
        }
        finally
        {
            await BusHosts.StopAsync(host);
        }
    }
}
