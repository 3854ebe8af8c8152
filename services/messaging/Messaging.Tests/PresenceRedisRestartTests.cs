using Community.Contracts.Events;
using Community.LocalInfrastructure;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.Logging;

namespace Community.Messaging.Tests;

/// <summary>Messaging on a Redis of this class's own (backplane and presence), which the test stops and starts; leases
/// of 3 s.</summary>
public class PresenceRedisRestartFixture : MessagingFixture
{
    /// <summary>Whether Redis is stopped before messaging starts.</summary>
    protected virtual bool RedisDownAtStart => false;

    public RedisServer Redis { get; private set; } = null!;

    public LogCapture Logs { get; } = new();

    public override void ConfigureServices(IServiceCollection services)
    {
        base.ConfigureServices(services);
        Logs.AddTo(services);
    }

    protected override void ConfigureService(IDictionary<string, string?> settings)
    {
        settings[$"ConnectionStrings:{ResourceNames.Redis}"] = Redis.ConnectionString;
        settings["RealTime:ConnectionLease"] = "00:00:03";
    }

    public override async Task InitializeAsync()
    {
        Redis = await TestInfrastructure.StartPrivateRedisAsync();
        if (RedisDownAtStart)
            await Redis.StopAsync();
        await base.InitializeAsync();
    }

    // Reconnecting as a real client would: the test shows no client needs to.
    public Task<LiveConnection> ConnectAsync(string token) =>
        ChatClient.ConnectAsync(Host.BaseAddress, token, reconnect: true);

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Redis.DisposeAsync();
    }
}

public sealed class PresenceRedisRestartTests(PresenceRedisRestartFixture fx)
    : IClassFixture<PresenceRedisRestartFixture>
{
    private HubPresence Presence => fx.Host.Services.GetRequiredService<HubPresence>();

    private Task<long> NotifiedAsync(Guid userId) =>
        fx.ScalarAsync<long>(
            "SELECT count(*) FROM notifications WHERE user_id = @u AND kind = 'message_received'",
            ("u", userId)
        );

    [Fact]
    public async Task While_Redis_is_down_sends_succeed_and_notify_and_after_a_restart_presence_comes_back_by_itself()
    {
        var (_, a, bId, b, c) = await fx.PairAsync();
        var conversation = Guid.Parse(c);
        await using var bob = await fx.ConnectAsync(b);
        await bob.Connection.InvokeAsync<JsonElement>("JoinConversation", c, null);
        Assert.Contains(bId, (await Presence.WatchingAsync(conversation, [bId]))!);
        Assert.Contains(bId, (await Presence.OnlineAsync([bId]))!);

        await fx.Redis.StopAsync();
        try
        {
            // Presence degrades: bob counts as not watching, so the message is a notification; the send itself
            // succeeds, and bob's connection on the sending instance still hears it live (that instance writes its
            // own pushes itself; only other instances' connections miss them).
            await fx.SendAsync(a, c, "During the outage");
            Assert.Equal(1L, await NotifiedAsync(bId));
            await bob.WaitForAsync(
                "new_message",
                m => m.Arguments[0].GetProperty("text").GetString() == "During the outage"
            );
            Assert.Null(await Presence.WatchingAsync(conversation, [bId]));
            // Typing and its lapse neither fail nor hang on Redis: the call answers, the clients' own lapse ends it.
            await bob.Connection.InvokeAsync("Typing", c).WaitAsync(TimeSpan.FromSeconds(5));
            await fx.SendAsync(b, c, "Typed during the outage");
            // Every live push of the outage failed to reach Redis (two messages at least); the first said so, the
            // others are counted (told once, a minute after the first), so an outage is not a warning a push.
            var undelivered = Assert.Single(fx.Logs.Of(typeof(LiveDelivery).FullName!, LogLevel.Warning));
            Assert.Contains("not delivered within", undelivered.Message);
        }
        finally
        {
            await fx.Redis.StartAsync();
        }

        // Redis restarted empty; the next lease renewal registers bob's open connection and its join again.
        await Eventually.TrueAsync(
            async () => await Presence.WatchingAsync(conversation, [bId]) is { } watching && watching.Contains(bId),
            "bob's joined connection was never registered again after Redis came back"
        );
        Assert.Contains(bId, (await Presence.OnlineAsync([bId]))!);
        await fx.SendAsync(a, c, "After the restart");
        Assert.Equal(1L, await NotifiedAsync(bId));
        // Live delivery came back by itself too: bob's joined connection hears the message sent after the restart,
        // and each message of the outage once.
        await bob.WaitForAsync(
            "new_message",
            m => m.Arguments[0].GetProperty("text").GetString() == "After the restart"
        );
        Assert.Single(
            bob.ReceivedOf("new_message"),
            m => m.Arguments[0].GetProperty("text").GetString() == "During the outage"
        );
        Assert.Equal(HubConnectionState.Connected, bob.Connection.State);
        Assert.Equal(0, bob.Reconnects);
    }

    [Fact]
    public async Task An_event_chat_joined_again_while_Redis_is_down_still_tells_its_leave_once_Redis_is_back()
    {
        var (organizerId, organizer) = await fx.RegisteredAsync();
        var (guestId, guest) = await fx.RegisteredAsync();
        var eventId = Guid.NewGuid();
        await fx.DeliverAsync(fx.Published(eventId, organizerId));
        var chat = (
            await (await fx.Client.Get($"/api/v1/conversations/by-event/{eventId}", organizer)).AssertStatus(200)
        )["id"]!.GetValue<string>();
        await fx.DeliverAsync(
            new RegistrationConfirmed(Guid.NewGuid(), fx.Tick(), Guid.NewGuid(), eventId, guestId, "T", null)
        );
        await using var host = await fx.ConnectAsync(organizer);
        await host.Connection.InvokeAsync<JsonElement>("JoinConversation", chat, null);
        await using var phone = await fx.ConnectAsync(guest);
        await phone.Connection.InvokeAsync<JsonElement>("JoinConversation", chat, null);
        await host.WaitForAsync("user_joined");

        await fx.Redis.StopAsync();
        try
        {
            // Joining again to catch up while Redis is away: the call answers, and the opening was told.
            await phone.Connection.InvokeAsync<JsonElement>("JoinConversation", chat, null);
        }
        finally
        {
            await fx.Redis.StartAsync();
        }
        await Eventually.TrueAsync(
            async () =>
                await Presence.WatchingAsync(Guid.Parse(chat), [guestId]) is { } watching && watching.Contains(guestId),
            "the guest's join was never registered again after Redis came back"
        );

        await phone.Connection.InvokeAsync("LeaveConversation", chat);
        var left = await host.WaitForAsync("user_left");
        Assert.Equal(guestId.ToString(), left.Str("user_id"));
    }
}

/// <summary>
/// An instance renews its connections' leases a slice at a time, many connections to one script: after Redis lost
/// everything, one renewal puts each connection back with exactly its own joins (connections of different users with
/// different numbers of joins, in one script).
/// </summary>
public sealed class PresenceRenewalTests(PresenceRedisRestartFixture fx) : IClassFixture<PresenceRedisRestartFixture>
{
    private HubPresence Presence => fx.Host.Services.GetRequiredService<HubPresence>();

    [Fact]
    public async Task After_Redis_lost_everything_a_renewal_registers_every_connection_with_its_own_joins_again()
    {
        var (aliceId, alice, bobId, bob, withAlice) = await fx.PairAsync();
        var (eveId, eve) = await fx.RegisteredAsync();
        await fx.ConnectAsync(bobId, eveId);
        var withEve = await fx.DirectAsync(bob, eveId);
        await using var bobs = await fx.ConnectAsync(bob);
        await using var alices = await fx.ConnectAsync(alice);
        await using var eves = await fx.ConnectAsync(eve);
        // Bob joined two conversations, Alice one, Eve none: 5, 4 and 3 keys in the renewal.
        await bobs.Connection.InvokeAsync<JsonElement>("JoinConversation", withAlice, null);
        await bobs.Connection.InvokeAsync<JsonElement>("JoinConversation", withEve, null);
        await alices.Connection.InvokeAsync<JsonElement>("JoinConversation", withAlice, null);

        await fx.Redis.StopAsync();
        await fx.Redis.StartAsync();

        var (alicesChat, evesChat) = (Guid.Parse(withAlice), Guid.Parse(withEve));
        await Eventually.TrueAsync(
            async () =>
                await Presence.WatchingAsync(alicesChat, [aliceId, bobId]) is { Count: 2 }
                && await Presence.WatchingAsync(evesChat, [bobId]) is { Count: 1 }
                && await Presence.OnlineAsync([aliceId, bobId, eveId]) is { Count: 3 },
            "the connections and their joins were not all registered again after Redis came back"
        );
        // Nothing more than each one's own: Eve joined nothing, and each user has exactly their one connection.
        Assert.Empty((await Presence.WatchingAsync(evesChat, [eveId]))!);
        foreach (var user in new[] { aliceId, bobId, eveId })
            Assert.Single((await Presence.ConnectionsAsync(user))!);
    }
}

/// <summary>Messaging started while its Redis is down (a node that comes up before Redis does).</summary>
public sealed class RedisLateFixture : PresenceRedisRestartFixture
{
    protected override bool RedisDownAtStart => true;
}

public sealed class RedisLateTests(RedisLateFixture fx) : IClassFixture<RedisLateFixture>
{
    [Fact]
    public async Task Live_pushes_reach_joined_connections_once_Redis_comes_up_after_the_service()
    {
        var (_, a, bId, b, c) = await fx.PairAsync();
        await fx.Redis.StartAsync();
        await using var bob = await ChatClient.ConnectAsync(fx.Host.BaseAddress, b);
        await bob.Connection.InvokeAsync<JsonElement>("JoinConversation", c, null);

        // The push subscription made while Redis was away is made as the connection comes up: a push another instance
        // publishes (published again until one arrives: the subscription may still be on its way) is heard live.
        await Eventually.TrueAsync(
            async () =>
            {
                if (bob.ReceivedOf(LiveEvents.Typing).Count > 0)
                    return true;
                await fx.PublishPushAsync(MessagingFixture.TypingPush(c, bId));
                await Task.Delay(TimeSpan.FromMilliseconds(300));
                return bob.ReceivedOf(LiveEvents.Typing).Count > 0;
            },
            "no push of another instance reached the joined connection after Redis came up"
        );
        // A message sent on bob's own instance is written to him there, and only once: not again as Redis relays it.
        await fx.SendAsync(a, c, "Once Redis is up");
        await bob.WaitForAsync(LiveEvents.NewMessage);
        await Task.Delay(TimeSpan.FromMilliseconds(500));
        Assert.Single(bob.ReceivedOf(LiveEvents.NewMessage));
    }
}
