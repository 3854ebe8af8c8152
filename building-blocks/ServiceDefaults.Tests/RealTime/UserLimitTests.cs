using System.Net;
using System.Net.WebSockets;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.AspNetCore.SignalR.StackExchangeRedis;
using Xunit.Abstractions;

namespace Community.ServiceDefaults.Tests.RealTime;

/// <summary>
/// Two instances of a hub service sharing one vhost and one Redis key prefix, with per-connection limits that never
/// bind, a user budget of 6 calls (refilled at one per 100 s; up to 4 taken at once, leased to an instance for 15 s)
/// and at most 3 connections per user. Slow enough that a stall of a loaded machine neither refills the budget nor ends
/// a lease in the middle of a test that counts them.
/// </summary>
public sealed class UserLimitedHubsFixture : TwoHubInstances
{
    public const int UserBurst = 6;
    public const int MaxConnections = 3;

    protected override Dictionary<string, string?> Settings => Limits;

    public static Dictionary<string, string?> Limits =>
        new()
        {
            ["RealTime:CallsPerSecond"] = "1000",
            ["RealTime:Burst"] = "1000",
            ["RealTime:UserCallsPerSecond"] = "0.01",
            ["RealTime:UserBurst"] = UserBurst.ToString(),
            ["RealTime:MaxConnectionsPerUser"] = MaxConnections.ToString(),
            ["RealTime:ConnectionLease"] = "00:00:03",
            ["RealTime:UserCallLease"] = "4",
            ["RealTime:UserCallLeaseTime"] = "00:00:15",
        };
}

public sealed class UserLimitTests(UserLimitedHubsFixture fx, ITestOutputHelper output)
    : IClassFixture<UserLimitedHubsFixture>,
        IAsyncLifetime
{
    private readonly List<LiveConnection> _clients = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var client in _clients)
            await client.DisposeAsync();
    }

    private async Task<LiveConnection> Connect(HubHost host, Guid user, bool skipNegotiation = false)
    {
        var client = await host.ConnectAsync(fx.Tokens.Issue(user), skipNegotiation);
        _clients.Add(client);
        return client;
    }

    /// <summary>
    /// Connected and counted: a call is served only after OnConnectedAsync, which runs after the handshake answer.
    /// </summary>
    private async Task<LiveConnection> ConnectCounted(HubHost host, Guid user)
    {
        var client = await Connect(host, user);
        Assert.Equal("ping", await Echo(client));
        return client;
    }

    /// <summary>One connection of <paramref name="user"/> on each of <paramref name="hosts"/>, in order.</summary>
    private async Task<LiveConnection[]> ConnectAll(Guid user, params HubHost[] hosts)
    {
        var connections = new LiveConnection[hosts.Length];
        for (var i = 0; i < hosts.Length; i++)
            connections[i] = await Connect(hosts[i], user);
        return connections;
    }

    private static Task<string> Echo(LiveConnection client) => client.Connection.InvokeAsync<string>("Echo", "ping");

    /// <summary>Whether the call passed the user's limit (false: refused with a HubException).</summary>
    private static async Task<bool> Passes(LiveConnection client)
    {
        try
        {
            Assert.Equal("ping", await Echo(client));
            return true;
        }
        catch (HubException)
        {
            return false;
        }
    }

    [Fact]
    public async Task One_users_calls_over_several_connections_are_refused_once_its_budget_is_spent_and_others_pass()
    {
        var user = Guid.NewGuid();
        var connections = await ConnectAll(user, fx.First, fx.First, fx.First);
        var other = await Connect(fx.First, Guid.NewGuid());

        for (var i = 0; i < UserLimitedHubsFixture.UserBurst; i++)
            Assert.Equal("ping", await Echo(connections[i % connections.Length]));
        var refused = await Assert.ThrowsAsync<HubException>(() => Echo(connections[0]));
        await Assert.ThrowsAsync<HubException>(() => Echo(connections[1]));

        Assert.Contains("Too many calls", refused.Message);
        Assert.Contains("over all your connections", refused.Message);
        Assert.All(connections, c => Assert.Equal(HubConnectionState.Connected, c.Connection.State));
        Assert.Equal("ping", await Echo(other));
    }

    [Fact]
    public async Task One_users_budget_is_shared_by_their_connections_on_two_instances()
    {
        var user = Guid.NewGuid();
        LiveConnection[] connections = [await Connect(fx.First, user), await Connect(fx.Second, user)];

        for (var i = 0; i < UserLimitedHubsFixture.UserBurst; i++)
            Assert.Equal("ping", await Echo(connections[i % 2]));

        await Assert.ThrowsAsync<HubException>(() => Echo(connections[0]));
        await Assert.ThrowsAsync<HubException>(() => Echo(connections[1]));
        Assert.Equal("ping", await Echo(await Connect(fx.Second, Guid.NewGuid())));
    }

    [Fact]
    public async Task Leased_calls_are_spent_on_their_instance_after_the_other_is_refused_and_no_more_than_the_budget()
    {
        var user = Guid.NewGuid();
        var (first, second) = (await Connect(fx.First, user), await Connect(fx.Second, user));

        // The first call finds the budget full: it takes itself and two more (the top half of the 6 less one).
        Assert.Equal("ping", await Echo(first));
        var passedOnSecond = 0;
        for (var i = 0; i < UserLimitedHubsFixture.UserBurst; i++)
            passedOnSecond += await Passes(second) ? 1 : 0;

        Assert.Equal(UserLimitedHubsFixture.UserBurst - 3, passedOnSecond);
        Assert.Equal("ping", await Echo(first));
        Assert.Equal("ping", await Echo(first));
        var refused = await Assert.ThrowsAsync<HubException>(() => Echo(first));
        Assert.Contains("over all your connections", refused.Message);
    }

    [Fact]
    public async Task Calls_a_lease_left_unspent_are_not_spent_after_it_ends()
    {
        var user = Guid.NewGuid();
        var (first, second) = (await Connect(fx.First, user), await Connect(fx.Second, user));
        Assert.Equal("ping", await Echo(first));

        await Task.Delay(TimeSpan.FromSeconds(15.5));

        for (var i = 0; i < UserLimitedHubsFixture.UserBurst - 3; i++)
            Assert.Equal("ping", await Echo(second));
        await Assert.ThrowsAsync<HubException>(() => Echo(second));
        await Assert.ThrowsAsync<HubException>(() => Echo(first));
    }

    [Fact]
    public async Task A_users_calls_at_once_on_both_instances_never_pass_more_than_the_budget()
    {
        var user = Guid.NewGuid();
        var connections = await ConnectAll(user, fx.First, fx.Second, fx.First);
        var started = TimeProvider.System.GetTimestamp();

        var results = await Task.WhenAll(
            Enumerable.Range(0, 60).Select(i => Passes(connections[i % connections.Length]))
        );

        // The budget, and what it refilled (one every 100 s) while the calls ran.
        var refilled = (int)(TimeProvider.System.GetElapsedTime(started).TotalSeconds / 100);
        var passed = results.Count(r => r);
        output.WriteLine($"{passed} of {results.Length} passed, {refilled} refilled");
        Assert.InRange(passed, 1, UserLimitedHubsFixture.UserBurst + refilled);
    }

    [Fact]
    public async Task A_connection_over_the_users_cap_on_any_instance_is_refused_with_429_and_another_user_connects()
    {
        var user = Guid.NewGuid();
        await ConnectCounted(fx.First, user);
        await ConnectCounted(fx.Second, user);
        await ConnectCounted(fx.First, user);

        var atNegotiate = await Assert.ThrowsAsync<HttpRequestException>(() => Connect(fx.Second, user));
        var atUpgrade = await Assert.ThrowsAsync<WebSocketException>(() =>
            Connect(fx.First, user, skipNegotiation: true)
        );

        Assert.Equal(HttpStatusCode.TooManyRequests, atNegotiate.StatusCode);
        Assert.Contains("429", atUpgrade.Message);
        // What the refusal says, for a client that reads negotiate's body.
        using var http = new HttpClient { BaseAddress = fx.Second.BaseAddress };
        var negotiate = await http.SendJson(
            HttpMethod.Post,
            $"{HubHost.HubPath}/negotiate?negotiateVersion=1",
            null,
            fx.Tokens.Issue(user)
        );
        Assert.Equal(TimeSpan.FromSeconds(1), negotiate.Headers.RetryAfter?.Delta);
        Assert.Contains("Too many connections", (await negotiate.AssertProblem(429))["detail"]!.GetValue<string>());
        Assert.Equal("ping", await Echo(await Connect(fx.First, Guid.NewGuid())));
    }

    [Fact]
    public async Task Connections_opened_at_once_past_the_cap_are_refused_and_exactly_the_cap_stay_open()
    {
        var user = Guid.NewGuid();
        var attempts = await Task.WhenAll(
            Enumerable
                .Range(0, UserLimitedHubsFixture.MaxConnections + 4)
                .Select(async i =>
                {
                    try
                    {
                        return (
                            Client: (LiveConnection?)
                                await Connect(i % 2 == 0 ? fx.First : fx.Second, user, skipNegotiation: true),
                            Refusal: (string?)null
                        );
                    }
                    catch (WebSocketException e)
                    {
                        return (Client: (LiveConnection?)null, Refusal: (string?)e.Message);
                    }
                })
        );
        // A connection past the 429 check that loses the race is closed right after the handshake, the reason in the
        // close message.
        var clients = attempts.Select(a => a.Client).OfType<LiveConnection>().ToList();
        var closedInTime = await Task.WhenAll(
            clients.Select(async c => await Task.WhenAny(c.Closed, Task.Delay(TimeSpan.FromSeconds(5))) == c.Closed)
        );
        var closed = new List<string?>();
        for (var i = 0; i < clients.Count; i++)
        {
            if (closedInTime[i])
                closed.Add((await clients[i].Closed)?.Message);
            else
                Assert.Equal("ping", await Echo(clients[i]));
        }

        var open = attempts.Count(a => a.Client is { Closed.IsCompleted: false });
        output.WriteLine(
            $"{attempts.Count(a => a.Refusal is not null)} refused with 429, {closed.Count} closed after the handshake"
        );
        Assert.Equal(UserLimitedHubsFixture.MaxConnections, open);
        Assert.All(attempts.Select(a => a.Refusal).OfType<string>(), r => Assert.Contains("429", r));
        Assert.All(
            closed,
            e =>
                Assert.Equal(
                    "The server closed the connection with the following error: Connection "
                        + "closed with an error. HubException: "
                        + $"Too many connections: at most {UserLimitedHubsFixture.MaxConnections} open hub connections "
                        + "per user. Close one first.",
                    e
                )
        );
    }

    [Fact]
    public async Task A_closed_connection_frees_its_slot()
    {
        var user = Guid.NewGuid();
        var first = await ConnectCounted(fx.First, user);
        await ConnectCounted(fx.Second, user);
        await ConnectCounted(fx.Second, user);
        await Assert.ThrowsAsync<HttpRequestException>(() => fx.First.ConnectAsync(fx.Tokens.Issue(user)));

        await first.DisposeAsync();
        _clients.Remove(first);

        LiveConnection? again = null;
        await Eventually.TrueAsync(
            async () =>
            {
                try
                {
                    again = await Connect(fx.Second, user);
                    return true;
                }
                catch (HttpRequestException e) when (e.StatusCode == HttpStatusCode.TooManyRequests)
                {
                    return false;
                }
            },
            "the closed connection's slot was never freed"
        );
        Assert.Equal("ping", await Echo(again!));
    }
}

/// <summary>
/// One hub instance whose per-user limits live in a Redis of their own, which the tests stop and start. The backplane
/// stays on the shared test Redis: while its Redis is down a new connection cannot subscribe, and this fixture is about
/// the limits failing open (<see cref="BackplaneRestartTests"/> restarts the one Redis both use).
/// </summary>
public sealed class RedisOutageFixture : IAsyncLifetime
{
    public IsolatedResources Resources { get; private set; } = null!;
    public LocalInfrastructure.RedisServer Redis { get; private set; } = null!;
    public TestClock Clock { get; } = new();
    public TestTokens Tokens { get; private set; } = null!;
    public HubHost Host { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Tokens = new TestTokens(Clock);
        Resources = await TestInfrastructure.IsolateAsync(nameof(RedisOutageFixture));
        Redis = await TestInfrastructure.StartPrivateRedisAsync();
        var settings = UserLimitedHubsFixture.Limits;
        settings[$"ConnectionStrings:{Contracts.ResourceNames.Redis}"] = Redis.ConnectionString;
        Host = await HubHost.StartAsync(
            Resources,
            Tokens,
            Clock,
            settings,
            builder =>
                builder.Services.PostConfigure<RedisOptions>(backplane =>
                {
                    backplane.Configuration.EndPoints.Clear();
                    backplane.Configuration.EndPoints.Add(Resources.RedisConnectionString);
                })
        );
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        await Redis.DisposeAsync();
        await Resources.DisposeAsync();
        Tokens.Dispose();
    }
}

public sealed class RedisOutageTests(RedisOutageFixture fx) : IClassFixture<RedisOutageFixture>
{
    /// <summary>
    /// Connected and holding its slot: a connection claims it in OnConnectedAsync, after the handshake answer that
    /// ends ConnectAsync, so a connection opened next could take the last slot first and this one be refused. A call
    /// is answered (served, or refused for the user's spent budget) only after OnConnectedAsync.
    /// </summary>
    private async Task<LiveConnection> ConnectCounted(Guid user)
    {
        var client = await fx.Host.ConnectAsync(fx.Tokens.Issue(user));
        try
        {
            await client.Connection.InvokeAsync<string>("Echo", "ping");
        }
        catch (HubException e) when (e.Message.Contains("over all your connections"))
        {
            // Refused for the budget the test spent: the call was answered, so the slot is held.
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
        return client;
    }

    [Fact]
    public async Task While_redis_is_down_calls_and_connections_pass_and_once_it_is_back_the_users_limits_apply_again()
    {
        var user = Guid.NewGuid();
        await using var before = await fx.Host.ConnectAsync(fx.Tokens.Issue(user), reconnect: true);
        await fx.Redis.StopAsync();
        try
        {
            // Fail open: more calls than the user's budget, and more connections than the cap.
            for (var i = 0; i < UserLimitedHubsFixture.UserBurst * 2; i++)
                Assert.Equal("ping", await before.Connection.InvokeAsync<string>("Echo", "ping"));
            await using var duringSecond = await fx.Host.ConnectAsync(fx.Tokens.Issue(user));
            await using var duringThird = await fx.Host.ConnectAsync(fx.Tokens.Issue(user));
            await using var fourth = await fx.Host.ConnectAsync(fx.Tokens.Issue(user));
            Assert.Equal("ping", await fourth.Connection.InvokeAsync<string>("Echo", "ping"));
        }
        finally
        {
            await fx.Redis.StartAsync();
        }

        // The hub reconnects by itself and spends the user's budget again (Redis restarted empty: a fresh budget).
        await Eventually.TrueAsync(
            async () =>
            {
                try
                {
                    await before.Connection.InvokeAsync<string>("Echo", "ping");
                    return false;
                }
                catch (HubException e) when (e.Message.Contains("over all your connections"))
                {
                    return true;
                }
            },
            "the user's call limit never applied again after Redis came back"
        );
        // The same connection throughout: the client never had to reconnect.
        Assert.Equal(HubConnectionState.Connected, before.Connection.State);
        Assert.Equal(0, before.Reconnects);
        // The connection open through the outage holds its slot again (its lease is renewed into the new Redis).
        await using var second = await ConnectCounted(user);
        await using var third = await ConnectCounted(user);
        await Eventually.TrueAsync(
            async () =>
            {
                try
                {
                    await using var fourth = await fx.Host.ConnectAsync(fx.Tokens.Issue(user));
                    return false;
                }
                catch (HttpRequestException e) when (e.StatusCode == HttpStatusCode.TooManyRequests)
                {
                    return true;
                }
            },
            "the connection cap never applied again after Redis came back"
        );
    }
}
