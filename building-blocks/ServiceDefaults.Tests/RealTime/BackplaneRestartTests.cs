using Community.LocalInfrastructure;
using Microsoft.AspNetCore.SignalR.Client;

namespace Community.ServiceDefaults.Tests.RealTime;

/// <summary>
/// Two instances whose backplane and per-user limits live in a Redis of the fixture's own, which a test restarts.
/// </summary>
public sealed class RestartedRedisHubsFixture : TwoHubInstances
{
    public RedisServer Redis { get; private set; } = null!;

    protected override Dictionary<string, string?> Settings
    {
        get
        {
            var settings = TwoHubInstancesFixture.Generous;
            settings[$"ConnectionStrings:{Contracts.ResourceNames.Redis}"] = Redis.ConnectionString;
            return settings;
        }
    }

    protected override async Task StartServersAsync() => Redis = await TestInfrastructure.StartPrivateRedisAsync();

    protected override ValueTask StopServersAsync() => Redis.DisposeAsync();
}

public sealed class BackplaneRestartTests(RestartedRedisHubsFixture fx)
    : IClassFixture<RestartedRedisHubsFixture>,
        IAsyncLifetime
{
    private readonly List<LiveConnection> _clients = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var client in _clients)
            await client.DisposeAsync();
    }

    private async Task<LiveConnection> Connect(HubHost host, Guid? user = null)
    {
        // Reconnecting as a real client would: the test shows no client needs to.
        var client = await host.ConnectAsync(fx.Tokens.Issue(user ?? Guid.NewGuid()), reconnect: true);
        _clients.Add(client);
        return client;
    }

    private static string Tag() => Guid.NewGuid().ToString("N")[..10];

    private static int[] Seqs(LiveConnection client, string target, string tag) =>
        [.. client.ReceivedOf(target).Where(i => i.Argument<string>(0) == tag).Select(i => i.Argument<int>(1))];

    [Fact]
    public async Task After_a_Redis_restart_the_same_connections_and_groups_deliver_across_instances_again()
    {
        var group = "g-" + Tag();
        var user = Guid.NewGuid();
        var onFirst = await Connect(fx.First);
        var onSecond = await Connect(fx.Second, user);
        var outsider = await Connect(fx.Second);
        await onFirst.Connection.InvokeAsync("Join", group);
        await onSecond.Connection.InvokeAsync("Join", group);
        var before = Tag();
        await onFirst.Connection.InvokeAsync("ToGroup", group, before, 1);
        await onSecond.WaitForAsync("group", i => i.Argument<string>(0) == before);

        await fx.Redis.StopAsync();
        try
        {
            // Calls that reach no other instance go on meanwhile; what is sent now may be lost (clients catch up by
            // seq).
            Assert.Equal("ping", await onFirst.Connection.InvokeAsync<string>("Echo", "ping"));
            Assert.Equal("ping", await onSecond.Connection.InvokeAsync<string>("Echo", "ping"));
        }
        finally
        {
            await fx.Redis.StartAsync();
        }

        // Nobody reconnects or joins again: both instances subscribe again by themselves.
        var (fromFirst, fromSecond) = (Tag(), Tag());
        var attempt = 0;
        await Eventually.TrueAsync(
            async () =>
            {
                await onFirst.Connection.InvokeAsync("ToGroup", group, fromFirst, ++attempt);
                return onSecond.ReceivedOf("group").Any(i => i.Argument<string>(0) == fromFirst);
            },
            "a group message from the first instance never reached the second after Redis came back"
        );
        await Eventually.TrueAsync(
            async () =>
            {
                await onSecond.Connection.InvokeAsync("ToGroup", group, fromSecond, ++attempt);
                return onFirst.ReceivedOf("group").Any(i => i.Argument<string>(0) == fromSecond);
            },
            "a group message from the second instance never reached the first after Redis came back"
        );

        // Back for good: every send arrives, in order, at the members and the user, and at no one else.
        const int count = 20;
        var after = Tag();
        for (var seq = 1; seq <= count; seq++)
        {
            await onFirst.Connection.InvokeAsync("ToGroup", group, after, seq);
            await onFirst.Connection.InvokeAsync("ToUser", user.ToString(), after, seq);
        }
        await onSecond.WaitForAsync("group", i => i.Argument<string>(0) == after && i.Argument<int>(1) == count);
        await onSecond.WaitForAsync("user", i => i.Argument<string>(0) == after && i.Argument<int>(1) == count);
        await onFirst.WaitForAsync("group", i => i.Argument<string>(0) == after && i.Argument<int>(1) == count);
        // A marker to all from each instance, after which nothing sent before is still on its way.
        var marker = Tag();
        await onFirst.Connection.InvokeAsync("ToAll", marker, 1);
        await onSecond.Connection.InvokeAsync("ToAll", marker, 2);
        foreach (var client in _clients)
            await client.WaitForAsync(
                "all",
                i =>
                    i.Argument<string>(0) == marker
                    && i.Argument<int>(1) == 2
                    && client.ReceivedOf("all").Any(j => j.Argument<string>(0) == marker && j.Argument<int>(1) == 1)
            );

        var expected = Enumerable.Range(1, count).ToArray();
        Assert.Equal(expected, Seqs(onSecond, "group", after));
        Assert.Equal(expected, Seqs(onFirst, "group", after));
        Assert.Equal(expected, Seqs(onSecond, "user", after));
        Assert.Empty(Seqs(onFirst, "user", after));
        Assert.Empty(outsider.ReceivedOf("group"));
        Assert.Empty(outsider.ReceivedOf("user"));
        Assert.All(_clients, c => Assert.Equal(HubConnectionState.Connected, c.Connection.State));
        Assert.All(_clients, c => Assert.Equal(0, c.Reconnects));
    }
}
