using Community.Testing;

namespace Community.AppHost.Tests;

/// <summary>
/// The metrics view's probes against a real database and broker: a broker too slow to list its queues (rabbitmqctl
/// boots an Erlang VM; on a loaded machine that has taken over 20 s) leaves the outboxes shown and says why the queues
/// are not, and the listing goes on so a later read shows its answer.
/// </summary>
public sealed class PlatformProbesTests : IAsyncLifetime
{
    private IsolatedResources _resources = null!;

    public async Task InitializeAsync() =>
        _resources = await TestInfrastructure.IsolateAsync(nameof(PlatformProbesTests));

    public async Task DisposeAsync() => await _resources.DisposeAsync();

    private PlatformProbes Probes(TimeSpan queueListingBound, TimeProvider? clock = null) =>
        new(
            new Dictionary<string, string> { ["identity"] = _resources.DatabaseConnectionString },
            _resources.RabbitMq,
            _resources.Name,
            clock,
            queueListingBound
        );

    [Fact]
    public async Task A_broker_slower_than_the_bound_leaves_the_outboxes_shown_and_says_so()
    {
        await Sql.ExecuteAsync(
            _resources.DatabaseConnectionString,
            "CREATE TABLE outbox_messages (published_at timestamptz, failed_at timestamptz); "
                + "INSERT INTO outbox_messages VALUES (NULL, NULL), (NULL, now()), (now(), NULL)"
        );

        // No VM boots in 50 ms: the listing is cut short, the rest still answers.
        var (outboxes, queues, error) = await Probes(TimeSpan.FromMilliseconds(50)).ReadAsync(CancellationToken.None);
        Assert.Equal(new OutboxBacklog("identity", 1, 1, null), outboxes.Single());
        Assert.Empty(queues);
        Assert.Contains("did not list its queues within", error);

        // Given time (a bound no machine misses, not the view's), the same broker lists them.
        var (_, _, listed) = await Probes(TimeSpan.FromMinutes(2)).ReadAsync(CancellationToken.None);
        Assert.Null(listed);
    }

    [Fact]
    public async Task A_listing_slower_than_the_bound_goes_on_and_a_later_read_shows_its_queues()
    {
        var vhost = new Uri(_resources.BrokerUri);
        var factory = new RabbitMQ.Client.ConnectionFactory { Uri = vhost };
        await using (var connection = await factory.CreateConnectionAsync())
        await using (var channel = await connection.CreateChannelAsync())
        {
            await channel.QueueDeclareAsync("probe-listed", durable: true, exclusive: false, autoDelete: false);
        }
        var clock = new TestClock();
        var probes = Probes(TimeSpan.FromMilliseconds(50), clock);

        var (_, first, error) = await probes.ReadAsync(CancellationToken.None);
        Assert.Empty(first);
        Assert.Contains("still asked", error);

        // Every later read waits 50 ms too, which no new VM meets: only the first listing's answer can show.
        IReadOnlyList<QueueDepth> queues = [];
        await Eventually.TrueAsync(
            async () =>
            {
                clock.Advance(TimeSpan.FromSeconds(6)); // past the 5 s cache
                (_, queues, error) = await probes.ReadAsync(CancellationToken.None);
                return error is null;
            },
            "the listing's answer never showed",
            TimeSpan.FromMinutes(2)
        );
        Assert.Contains(queues, q => q.Queue == "probe-listed" && !q.IsError);
    }
}
