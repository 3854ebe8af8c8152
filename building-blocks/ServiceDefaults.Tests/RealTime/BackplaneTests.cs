using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.AspNetCore.SignalR.StackExchangeRedis;

namespace Community.ServiceDefaults.Tests.RealTime;

/// <summary>
/// Two instances of a hub service on one vhost and one Redis key prefix, as two replicas run, each with clients of its
/// own.
/// </summary>
public abstract class TwoHubInstances : IAsyncLifetime
{
    public IsolatedResources Resources { get; private set; } = null!;
    public TestClock Clock { get; } = new();
    public TestTokens Tokens { get; private set; } = null!;
    public HubHost First { get; private set; } = null!;
    public HubHost Second { get; private set; } = null!;

    /// <summary>The "RealTime" limits both instances run with.</summary>
    protected abstract Dictionary<string, string?> Settings { get; }

    /// <summary>Servers of the fixture's own, started before the instances and stopped after them.</summary>
    protected virtual Task StartServersAsync() => Task.CompletedTask;

    protected virtual ValueTask StopServersAsync() => ValueTask.CompletedTask;

    public async Task InitializeAsync()
    {
        Tokens = new TestTokens(Clock);
        Resources = await TestInfrastructure.IsolateAsync(GetType().Name);
        await StartServersAsync();
        First = await HubHost.StartAsync(Resources, Tokens, Clock, Settings);
        Second = await HubHost.StartAsync(Resources, Tokens, Clock, Settings);
    }

    public async Task DisposeAsync()
    {
        await Second.DisposeAsync();
        await First.DisposeAsync();
        await StopServersAsync();
        await Resources.DisposeAsync();
        Tokens.Dispose();
    }
}

/// <summary>Two instances with generous limits: these tests send hundreds of calls on one connection.</summary>
public sealed class TwoHubInstancesFixture : TwoHubInstances
{
    protected override Dictionary<string, string?> Settings => Generous;

    public static Dictionary<string, string?> Generous =>
        new()
        {
            ["RealTime:CallsPerSecond"] = "10000",
            ["RealTime:Burst"] = "10000",
            ["RealTime:UserCallsPerSecond"] = "10000",
            ["RealTime:UserBurst"] = "10000",
            ["RealTime:MaxConnectionsPerUser"] = "1000",
        };
}

public sealed class BackplaneTests(TwoHubInstancesFixture fx) : IClassFixture<TwoHubInstancesFixture>, IAsyncLifetime
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
        var client = await host.ConnectAsync(fx.Tokens.Issue(user ?? Guid.NewGuid()));
        _clients.Add(client);
        // SignalR answers the handshake before the instance subscribes to the connection's and its user's Redis
        // channels, and dispatches calls only after: once a call is answered, a send to this user or connection reaches
        // it.
        Assert.Equal("ready", await client.Connection.InvokeAsync<string>("Echo", "ready"));
        return client;
    }

    private static string Tag() => Guid.NewGuid().ToString("N")[..10];

    private static int[] Seqs(LiveConnection client, string target, string tag) =>
        [.. client.ReceivedOf(target).Where(i => i.Argument<string>(0) == tag).Select(i => i.Argument<int>(1))];

    /// <summary>
    /// Returns once every call sent before has reached every client it ever will: a marker sent to all from each
    /// instance leaves Redis behind anything either instance published earlier. SignalR reads each channel (all, a
    /// group, a user, a connection) from a queue of its own, so a second round lets the other queues write theirs.
    /// </summary>
    private async Task Settle()
    {
        for (var round = 0; round < 2; round++)
        {
            var tag = Tag();
            var first = await Connect(fx.First);
            var second = await Connect(fx.Second);
            await first.Connection.InvokeAsync("ToAll", tag, 1);
            await second.Connection.InvokeAsync("ToAll", tag, 2);
            foreach (var client in _clients)
                await client.WaitForAsync(
                    "all",
                    i =>
                        i.Argument<string>(0) == tag
                        && i.Argument<int>(1) == 2
                        && client.ReceivedOf("all").Any(j => j.Argument<string>(0) == tag && j.Argument<int>(1) == 1)
                );
        }
    }

    [Fact]
    public async Task SendAll_reaches_the_clients_of_both_instances_exactly_once()
    {
        var sender = await Connect(fx.First);
        var local = await Connect(fx.First);
        var remote = await Connect(fx.Second);
        var tag = Tag();

        await sender.Connection.InvokeAsync("ToAll", tag, 1);
        await remote.WaitForAsync("all", i => i.Argument<string>(0) == tag);
        await Settle();

        Assert.Equal([1], Seqs(sender, "all", tag));
        Assert.Equal([1], Seqs(local, "all", tag));
        Assert.Equal([1], Seqs(remote, "all", tag));
    }

    [Fact]
    public async Task Others_leaves_out_the_caller_on_every_instance()
    {
        var sender = await Connect(fx.First);
        var local = await Connect(fx.First);
        var remote = await Connect(fx.Second);
        var tag = Tag();

        await sender.Connection.InvokeAsync("ToOthers", tag, 1);
        await Settle();

        Assert.Empty(Seqs(sender, "others", tag));
        Assert.Equal([1], Seqs(local, "others", tag));
        Assert.Equal([1], Seqs(remote, "others", tag));
    }

    [Fact]
    public async Task SendUser_reaches_every_connection_of_the_user_on_either_instance_once_and_no_one_else()
    {
        var user = Guid.NewGuid();
        var sender = await Connect(fx.First);
        var onFirst = await Connect(fx.First, user);
        var onSecond = await Connect(fx.Second, user);
        var stranger = await Connect(fx.Second);
        var tag = Tag();

        await sender.Connection.InvokeAsync("ToUser", user.ToString(), tag, 1);
        await sender.Connection.InvokeAsync("ToUsers", new[] { user.ToString(), Guid.NewGuid().ToString() }, tag, 2);
        await Settle();

        Assert.Equal([1], Seqs(onFirst, "user", tag));
        Assert.Equal([1], Seqs(onSecond, "user", tag));
        Assert.Equal([2], Seqs(onSecond, "users", tag));
        Assert.Equal([2], Seqs(onFirst, "users", tag));
        Assert.Empty(Seqs(stranger, "user", tag));
        Assert.Empty(Seqs(sender, "user", tag));
    }

    [Fact]
    public async Task SendGroup_reaches_the_members_on_both_instances_once_and_no_one_else()
    {
        var group = "g-" + Tag();
        var sender = await Connect(fx.First);
        var localMember = await Connect(fx.First);
        var remoteMember = await Connect(fx.Second);
        var outsider = await Connect(fx.Second);
        await localMember.Connection.InvokeAsync("Join", group);
        await remoteMember.Connection.InvokeAsync("Join", group);
        var tag = Tag();

        await sender.Connection.InvokeAsync("ToGroup", group, tag, 1);
        await sender.Connection.InvokeAsync("ToGroups", new[] { group, "g-" + Tag() }, tag, 2);
        await remoteMember.Connection.InvokeAsync("ToOthersInGroup", group, tag, 3);
        await Settle();

        Assert.Equal([1], Seqs(localMember, "group", tag));
        Assert.Equal([1], Seqs(remoteMember, "group", tag));
        Assert.Equal([2], Seqs(localMember, "groups", tag));
        Assert.Equal([2], Seqs(remoteMember, "groups", tag));
        Assert.Equal([3], Seqs(localMember, "others_in_group", tag));
        Assert.Empty(Seqs(remoteMember, "others_in_group", tag));
        Assert.Empty(Seqs(outsider, "group", tag));
        Assert.Empty(Seqs(sender, "group", tag));
    }

    /// <summary>
    /// SignalR's managers (in-process and Redis) send to each group; messaging never puts a connection in two groups of
    /// one send.
    /// </summary>
    [Fact]
    public async Task A_connection_in_two_of_the_groups_gets_a_SendGroups_once_per_group()
    {
        var (a, b) = ("g-" + Tag(), "g-" + Tag());
        var sender = await Connect(fx.First);
        var local = await Connect(fx.First);
        var remote = await Connect(fx.Second);
        foreach (var member in new[] { local, remote })
        {
            await member.Connection.InvokeAsync("Join", a);
            await member.Connection.InvokeAsync("Join", b);
        }
        var tag = Tag();

        await sender.Connection.InvokeAsync("ToGroups", new[] { a, b }, tag, 1);
        await Settle();

        Assert.Equal([1, 1], Seqs(local, "groups", tag));
        Assert.Equal([1, 1], Seqs(remote, "groups", tag));
    }

    [Fact]
    public async Task One_instance_adds_and_removes_a_connection_of_the_other_to_a_group()
    {
        var group = "g-" + Tag();
        var sender = await Connect(fx.First);
        var remote = await Connect(fx.Second);
        var tag = Tag();

        await sender.Connection.InvokeAsync("JoinFor", remote.Connection.ConnectionId, group);
        await sender.Connection.InvokeAsync("ToGroup", group, tag, 1);
        await remote.WaitForAsync("group", i => i.Argument<string>(0) == tag);
        await sender.Connection.InvokeAsync("LeaveFor", remote.Connection.ConnectionId, group);
        await sender.Connection.InvokeAsync("ToGroup", group, tag, 2);
        await Settle();

        Assert.Equal([1], Seqs(remote, "group", tag));
    }

    [Fact]
    public async Task A_group_command_for_a_connection_no_instance_has_fails_after_the_wait_and_the_connection_stays()
    {
        var sender = await Connect(fx.First);

        // SignalR's Redis backplane waits 30 to 35 s for an instance owning the connection to acknowledge, then fails
        // the call.
        await Assert.ThrowsAsync<HubException>(() =>
            sender.Connection.InvokeAsync("JoinFor", "no-such-connection", "g-" + Tag())
        );

        Assert.Equal("still here", await sender.Connection.InvokeAsync<string>("Echo", "still here"));
    }

    [Fact]
    public async Task SendConnection_reaches_a_connection_of_either_instance_once()
    {
        var sender = await Connect(fx.First);
        var local = await Connect(fx.First);
        var remote = await Connect(fx.Second);
        var bystander = await Connect(fx.Second);
        var tag = Tag();

        await sender.Connection.InvokeAsync("ToConnection", remote.Connection.ConnectionId, tag, 1);
        await sender.Connection.InvokeAsync("ToConnection", local.Connection.ConnectionId, tag, 2);
        await sender.Connection.InvokeAsync(
            "ToConnections",
            new[] { local.Connection.ConnectionId, remote.Connection.ConnectionId },
            tag,
            3
        );
        await Settle();

        Assert.Equal([1], Seqs(remote, "connection", tag));
        Assert.Equal([2], Seqs(local, "connection", tag));
        Assert.Equal([3], Seqs(local, "connections", tag));
        Assert.Equal([3], Seqs(remote, "connections", tag));
        Assert.Empty(Seqs(bystander, "connection", tag));
    }

    [Fact]
    public async Task Hundreds_of_sends_from_both_instances_reach_every_member_without_gap_duplicate_or_reorder()
    {
        const int count = 200;
        var group = "g-" + Tag();
        var senderOnFirst = await Connect(fx.First);
        var senderOnSecond = await Connect(fx.Second);
        var members = new[] { await Connect(fx.First), await Connect(fx.Second), await Connect(fx.Second) };
        foreach (var member in members)
            await member.Connection.InvokeAsync("Join", group);
        var (fromFirst, fromSecond) = (Tag(), Tag());

        async Task Send(LiveConnection sender, string tag)
        {
            for (var seq = 1; seq <= count; seq++)
                await sender.Connection.InvokeAsync("ToGroup", group, tag, seq);
        }
        await Task.WhenAll(Send(senderOnFirst, fromFirst), Send(senderOnSecond, fromSecond));
        foreach (var member in members)
            await member.WaitForCountAsync("group", 2 * count);
        await Settle();

        var expected = Enumerable.Range(1, count).ToArray();
        foreach (var member in members)
        {
            Assert.Equal(expected, Seqs(member, "group", fromFirst));
            Assert.Equal(expected, Seqs(member, "group", fromSecond));
        }
    }

    [Fact]
    public async Task A_client_joining_during_the_sends_gets_every_message_from_its_first_on_without_gap_or_duplicate()
    {
        const int count = 200;
        var group = "g-" + Tag();
        var sender = await Connect(fx.First);
        var early = await Connect(fx.Second);
        await early.Connection.InvokeAsync("Join", group);
        var tag = Tag();
        var joined = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // The second half waits for the late join, so a slow connect cannot let every send pass before it.
        var sending = Task.Run(async () =>
        {
            for (var seq = 1; seq <= count; seq++)
            {
                if (seq == count / 2 + 1)
                    await joined.Task.WaitAsync(TimeSpan.FromSeconds(30));
                await sender.Connection.InvokeAsync("ToGroup", group, tag, seq);
            }
        });
        await early.WaitForAsync("group", i => i.Argument<string>(0) == tag && i.Argument<int>(1) >= count / 4);
        var late = await Connect(fx.Second);
        await late.Connection.InvokeAsync("Join", group);
        joined.SetResult();
        await sending;
        await late.WaitForAsync("group", i => i.Argument<string>(0) == tag && i.Argument<int>(1) == count);
        await Settle();

        Assert.Equal(Enumerable.Range(1, count), Seqs(early, "group", tag));
        var seqs = Seqs(late, "group", tag);
        Assert.True(seqs.Length < count, "the late client joined after the first sends");
        Assert.Equal(Enumerable.Range(seqs[0], count - seqs[0] + 1), seqs);
    }

    [Fact]
    public void Each_instance_runs_the_backplane_as_the_hub_lifetime_manager()
    {
        Assert.IsType<RedisHubLifetimeManager<ProbeHub>>(
            fx.First.Services.GetRequiredService<HubLifetimeManager<ProbeHub>>()
        );
        Assert.IsType<RedisHubLifetimeManager<ProbeHub>>(
            fx.Second.Services.GetRequiredService<HubLifetimeManager<ProbeHub>>()
        );
    }
}
