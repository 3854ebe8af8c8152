using Community.Testing;

namespace Community.AppHost.Tests;

/// <summary>
/// The metrics view's probes against a real database and broker: a broker too slow to list its queues (rabbitmqctl
/// boots an Erlang VM; on a loaded machine that has taken over 20 s) leaves the outboxes shown and says why the queues
/// are not.
/// </summary>
public sealed class PlatformProbesTests : IAsyncLifetime
{
    private IsolatedResources _resources = null!;

    public async Task InitializeAsync() =>
        _resources = await TestInfrastructure.IsolateAsync(nameof(PlatformProbesTests));

    public async Task DisposeAsync() => await _resources.DisposeAsync();

    private PlatformProbes Probes(TimeSpan queueListingBound) =>
        new(
            new Dictionary<string, string> { ["identity"] = _resources.DatabaseConnectionString },
            _resources.RabbitMq,
            _resources.Name,
            queueListingBound: queueListingBound
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
}
