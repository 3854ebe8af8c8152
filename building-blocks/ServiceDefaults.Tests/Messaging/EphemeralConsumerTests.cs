using Community.ServiceDefaults.Data;
using Community.ServiceDefaults.Messaging;
using Microsoft.Extensions.Hosting;

namespace Community.ServiceDefaults.Tests.Messaging;

/// <summary>Two instances of one probe service on one vhost and one database, as two replicas run.</summary>
public sealed class TwoInstancesFixture : IAsyncLifetime
{
    public const string Service = "busprobe";

    public IsolatedResources Resources { get; private set; } = null!;
    public IHost First { get; private set; } = null!;
    public IHost Second { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Resources = await TestInfrastructure.IsolateAsync(nameof(TwoInstancesFixture));
        First = await BusHosts.StartAsync(BusHosts.Settings(Resources, Service), b => BusHosts.WireService(b, Service));
        // The second wires the bus before the database: the order of the two calls must not matter.
        Second = await BusHosts.StartAsync(
            BusHosts.Settings(Resources, Service),
            b => BusHosts.WireService(b, Service, busFirst: true)
        );
    }

    public async Task DisposeAsync()
    {
        await BusHosts.StopAsync(Second);
        await BusHosts.StopAsync(First);
        await Resources.DisposeAsync();
    }
}

public sealed class EphemeralConsumerTests(TwoInstancesFixture fx) : IClassFixture<TwoInstancesFixture>
{
    private static BusInstance Instance(IHost host) => host.Services.GetRequiredService<BusInstance>();

    /// <summary>Lets a duplicate or a retry that would come arrive before the test counts.</summary>
    private static Task Settle() => Task.Delay(TimeSpan.FromSeconds(2));

    [Fact]
    public async Task Every_instance_receives_a_published_message_once()
    {
        var ping = new Ping(Guid.NewGuid());
        await BusHosts.Publish(fx.First, ping, ping.Id);

        await Eventually.TrueAsync(
            () =>
                Task.FromResult(
                    PingProbe.Count(Instance(fx.First), ping.Id) > 0
                        && PingProbe.Count(Instance(fx.Second), ping.Id) > 0
                ),
            "both instances never received the ping"
        );
        await Settle();
        Assert.Equal(1, PingProbe.Count(Instance(fx.First), ping.Id));
        Assert.Equal(1, PingProbe.Count(Instance(fx.Second), ping.Id));
    }

    [Fact]
    public async Task Inbox_consumers_of_the_same_instances_still_compete()
    {
        var work = new Work(Guid.NewGuid());
        await BusHosts.Publish(fx.Second, work, work.Id);

        await Eventually.TrueAsync(
            () => Task.FromResult(WorkProbe.HandledAnywhere(work.Id) > 0),
            "the work was never handled"
        );
        await Settle();
        Assert.Equal(1, WorkProbe.HandledAnywhere(work.Id));
        Assert.Equal(1, WorkProbe.Attempts[work.Id]);
        Assert.Equal(
            1L,
            await Sql.ScalarAsync<long>(
                fx.Resources.DatabaseConnectionString,
                "SELECT count(*) FROM inbox_messages WHERE message_id = @id",
                ("id", work.Id)
            )
        );
    }

    [Fact]
    public async Task A_failing_ephemeral_consumer_is_not_retried_and_leaves_no_error_queue()
    {
        var ping = new Ping(Guid.NewGuid(), Fail: true);
        await BusHosts.Publish(fx.First, ping, ping.Id);

        await Eventually.TrueAsync(
            () =>
                Task.FromResult(
                    PingProbe.Count(Instance(fx.First), ping.Id) > 0
                        && PingProbe.Count(Instance(fx.Second), ping.Id) > 0
                ),
            "both instances never received the ping"
        );
        await Settle();
        Assert.Equal(1, PingProbe.Count(Instance(fx.First), ping.Id));
        Assert.Equal(1, PingProbe.Count(Instance(fx.Second), ping.Id));
        Assert.Equal(
            BusHosts.Queue.Missing,
            await BusHosts.QueueStateAsync(fx.Resources.BrokerUri, Instance(fx.First).QueueFor<PingProbe>() + "_error")
        );
    }

    [Fact]
    public async Task Ephemeral_messages_never_touch_the_inbox()
    {
        var ping = new Ping(Guid.NewGuid());
        await BusHosts.Publish(fx.First, ping, ping.Id);
        await Eventually.TrueAsync(
            () => Task.FromResult(PingProbe.Count(Instance(fx.Second), ping.Id) > 0),
            "the ping never arrived"
        );

        Assert.Equal(
            0L,
            await Sql.ScalarAsync<long>(
                fx.Resources.DatabaseConnectionString,
                "SELECT count(*) FROM inbox_messages WHERE message_id = @id",
                ("id", ping.Id)
            )
        );
    }

    [Fact]
    public async Task Each_instance_has_its_own_queue_named_after_the_service_and_the_instance_and_none_is_shared()
    {
        var first = Instance(fx.First);
        var second = Instance(fx.Second);
        Assert.NotEqual(first.Id, second.Id);
        Assert.StartsWith(TwoInstancesFixture.Service + "-", first.QueueFor<PingProbe>());
        Assert.EndsWith("-" + first.Id, first.QueueFor<PingProbe>());

        Assert.Equal(
            BusHosts.Queue.ExclusiveToAnotherConnection,
            await BusHosts.QueueStateAsync(fx.Resources.BrokerUri, first.QueueFor<PingProbe>())
        );
        Assert.Equal(
            BusHosts.Queue.ExclusiveToAnotherConnection,
            await BusHosts.QueueStateAsync(fx.Resources.BrokerUri, second.QueueFor<PingProbe>())
        );
        // The assembly scan that gave WorkProbe its shared queue left the ephemeral consumer out.
        Assert.Equal(
            BusHosts.Queue.Shared,
            await BusHosts.QueueStateAsync(
                fx.Resources.BrokerUri,
                BusHosts.SharedQueue<WorkProbe>(TwoInstancesFixture.Service)
            )
        );
        Assert.Equal(
            BusHosts.Queue.Missing,
            await BusHosts.QueueStateAsync(
                fx.Resources.BrokerUri,
                BusHosts.SharedQueue<PingProbe>(TwoInstancesFixture.Service)
            )
        );
    }

    [Fact]
    public async Task An_instance_queue_disappears_when_its_host_stops()
    {
        var third = await BusHosts.StartAsync(
            BusHosts.Settings(fx.Resources, TwoInstancesFixture.Service),
            b => BusHosts.WireService(b, TwoInstancesFixture.Service)
        );
        var queue = Instance(third).QueueFor<PingProbe>();
        Assert.Equal(
            BusHosts.Queue.ExclusiveToAnotherConnection,
            await BusHosts.QueueStateAsync(fx.Resources.BrokerUri, queue)
        );

        await BusHosts.StopAsync(third);

        await Eventually.TrueAsync(
            async () => await BusHosts.QueueStateAsync(fx.Resources.BrokerUri, queue) == BusHosts.Queue.Missing,
            $"{queue} outlived its host",
            TimeSpan.FromSeconds(15)
        );
        // The shared queue of the inbox consumer outlives any instance.
        Assert.Equal(
            BusHosts.Queue.Shared,
            await BusHosts.QueueStateAsync(
                fx.Resources.BrokerUri,
                BusHosts.SharedQueue<WorkProbe>(TwoInstancesFixture.Service)
            )
        );
    }

    [Fact]
    public void The_schema_is_migrated_before_any_other_hosted_service_starts_whichever_call_came_first()
    {
        Assert.IsType<SchemaMigrator>(fx.First.Services.GetServices<IHostedService>().First());
        Assert.IsType<SchemaMigrator>(fx.Second.Services.GetServices<IHostedService>().First());
    }
}
