using Community.ServiceDefaults.RealTime;
using Microsoft.AspNetCore.SignalR.Client;
using Npgsql;

namespace Community.Messaging.Tests;

/// <summary>Who is online, across two instances: announced at the first and last connection, swept when leases end.
/// </summary>
public sealed class HubPresenceTests(RealTimeFixture fx) : IClassFixture<RealTimeFixture>
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(700);

    private HubPresence Presence => fx.Host.Services.GetRequiredService<HubPresence>();

    [Fact]
    public async Task Presence_follows_a_users_first_and_last_connection_across_instances()
    {
        var (aId, a, _, b, _) = await fx.PairAsync();
        await using var bob = await fx.ConnectAsync(b, viaB: true);
        var first = await fx.ConnectAsync(a);
        var online = await bob.WaitForAsync(LiveEvents.Presence, p => p.Str("user_id") == aId.ToString());
        Assert.True(online.Arguments[0].GetProperty("online").GetBoolean());
        Assert.Contains(aId, (await Presence.OnlineAsync([aId]))!);

        // A second connection on the other instance, then the first closes: still online.
        var second = await fx.ConnectAsync(a, viaB: true);
        await Eventually.TrueAsync(
            async () => (await Presence.ConnectionsAsync(aId))!.Select(m => m.Split('/')[0]).Distinct().Count() == 2,
            "the two connections are not registered under their two instances"
        );
        await first.DisposeAsync();
        await Eventually.TrueAsync(
            async () => (await Presence.ConnectionsAsync(aId))!.Length == 1,
            "the first connection stayed registered"
        );
        Assert.Contains(aId, (await Presence.OnlineAsync([aId]))!);
        await second.DisposeAsync();
        var offline = await bob.WaitForAsync(
            LiveEvents.Presence,
            p => p.Str("user_id") == aId.ToString() && !p.Arguments[0].GetProperty("online").GetBoolean()
        );
        Assert.Equal(2, bob.ReceivedOf(LiveEvents.Presence).Count(p => p.Str("user_id") == aId.ToString()));
        Assert.NotNull(offline);
        Assert.DoesNotContain(aId, (await Presence.OnlineAsync([aId]))!);
        Assert.NotNull(
            await fx.ScalarAsync<DateTime?>("SELECT last_offline_at FROM user_presence WHERE user_id = @u", ("u", aId))
        );
    }

    [Fact]
    public async Task A_block_either_way_keeps_presence_from_the_pair_while_other_connections_still_hear_it()
    {
        var (aId, a) = await fx.RegisteredAsync();
        var (bId, b) = await fx.RegisteredAsync();
        var (cId, c) = await fx.RegisteredAsync();
        var (dId, d) = await fx.RegisteredAsync();
        foreach (var other in new[] { bId, cId, dId })
            await fx.ConnectAsync(aId, other);
        await fx.BlockAsync(aId, bId);
        await fx.BlockAsync(cId, aId);
        await using var bob = await fx.ConnectAsync(b);
        await using var carol = await fx.ConnectAsync(c, viaB: true);
        await using var dave = await fx.ConnectAsync(d);
        bool IsAlice(HubCall p) => p.Str("user_id") == aId.ToString();

        var alice = await fx.ConnectAsync(a, viaB: true);
        await dave.WaitForAsync(
            LiveEvents.Presence,
            p => IsAlice(p) && p.Arguments[0].GetProperty("online").GetBoolean()
        );
        await alice.DisposeAsync();
        await dave.WaitForAsync(
            LiveEvents.Presence,
            p => IsAlice(p) && !p.Arguments[0].GetProperty("online").GetBoolean()
        );
        Assert.NotNull(
            await fx.ScalarAsync<DateTime?>("SELECT last_offline_at FROM user_presence WHERE user_id = @u", ("u", aId))
        );
        await Task.Delay(Quiet);
        Assert.DoesNotContain(bob.ReceivedOf(LiveEvents.Presence), IsAlice);
        Assert.DoesNotContain(carol.ReceivedOf(LiveEvents.Presence), IsAlice);
        Assert.Equal(2, dave.ReceivedOf(LiveEvents.Presence).Count(IsAlice));
    }

    [Fact]
    public async Task Many_connections_of_one_user_opened_and_closed_at_once_on_two_instances_announce_presence_once()
    {
        var (aId, a, _, b, _) = await fx.PairAsync();
        await using var bob = await fx.ConnectAsync(b);
        bool IsAlice(HubCall p) => p.Str("user_id") == aId.ToString();
        for (var round = 1; round <= 3; round++)
        {
            var clients = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => fx.ConnectAsync(a, viaB: i % 2 == 1)));
            // Registered: a call is served only after OnConnectedAsync, which SignalR runs after the handshake's
            // answer.
            await Task.WhenAll(clients.Select(c => c.Connection.InvokeAsync("LeaveConversation", Guid.NewGuid())));
            await bob.WaitForAsync(
                LiveEvents.Presence,
                p =>
                    IsAlice(p)
                    && p.Arguments[0].GetProperty("online").GetBoolean()
                    && bob.ReceivedOf(LiveEvents.Presence).Count(IsAlice) == 2 * round - 1
            );
            await Task.WhenAll(clients.Select(c => c.DisposeAsync().AsTask()));
            await bob.WaitForAsync(
                LiveEvents.Presence,
                p =>
                    IsAlice(p)
                    && !p.Arguments[0].GetProperty("online").GetBoolean()
                    && bob.ReceivedOf(LiveEvents.Presence).Count(IsAlice) == 2 * round
            );
        }
        await Task.Delay(Quiet);
        var pushes = bob.ReceivedOf(LiveEvents.Presence)
            .Where(IsAlice)
            .Select(p => p.Arguments[0].GetProperty("online").GetBoolean())
            .ToList();
        Assert.Equal([true, false, true, false, true, false], pushes);
        Assert.DoesNotContain(aId, (await Presence.OnlineAsync([aId]))!);
    }

    [Fact]
    public async Task A_connection_whose_coming_online_cannot_be_announced_is_closed_and_let_go()
    {
        var (aId, a, _, _, _) = await fx.PairAsync();
        // The announcement reads the blocks to find who hears it: with the table locked here, it waits, and its
        // query is ended as a database restart would end it.
        await using var holder = new NpgsqlConnection(fx.Resources.DatabaseConnectionString);
        await holder.OpenAsync();
        await using var transaction = await holder.BeginTransactionAsync();
        await using (var take = new NpgsqlCommand("LOCK TABLE blocks IN ACCESS EXCLUSIVE MODE", holder))
            await take.ExecuteNonQueryAsync();
        const string Waiting =
            "FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' "
            + "AND query ILIKE '%INSERT INTO user_presence%'";
        await using var alice = await fx.ConnectAsync(a);
        var connectionId = alice.Connection.ConnectionId!;
        await Eventually.TrueAsync(
            async () => await fx.ScalarAsync<long>("SELECT count(*) " + Waiting) > 0,
            "the announcement never waited for the blocks"
        );
        Assert.True(Presence.Holds(connectionId));
        // Ended until Alice's connection closes: another presence query waiting on the lock may have matched first.
        await Eventually.TrueAsync(
            async () =>
            {
                await fx.ExecuteAsync("SELECT pg_terminate_backend(pid) " + Waiting);
                return alice.Closed.IsCompleted;
            },
            "the connection stayed open"
        );
        await transaction.CommitAsync();

        // SignalR closes the connection and calls no OnDisconnectedAsync for it: presence let go of it itself, or
        // Alice would stay online, her lease renewed for good.
        Assert.NotNull(await alice.Closed.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.False(Presence.Holds(connectionId));
        Assert.DoesNotContain(aId, (await Presence.OnlineAsync([aId]))!);
    }

    [Fact]
    public async Task The_connections_of_an_instance_whose_leases_ended_are_swept_and_their_users_go_offline()
    {
        var (ghostId, _) = await fx.RegisteredAsync();
        var (watcherId, watcher) = await fx.RegisteredAsync();
        await fx.ConnectAsync(ghostId, watcherId);
        await using var watching = await fx.ConnectAsync(watcher, viaB: true);
        // A dead instance's connection: registered, its lease long over, never closed.
        var redis = await fx.Host.Services.GetRequiredService<RealTimeRedisConnection>().DatabaseAsync();
        await redis.SortedSetAddAsync(
            Presence.ConnectionsKey(ghostId),
            "dead-instance/ghost-" + Guid.NewGuid().ToString("N"),
            1
        );
        await redis.SortedSetAddAsync(Presence.OnlineKey, ghostId.ToString(), 1);
        var (liveId, live) = await fx.RegisteredAsync();
        await using var liveClient = await fx.ConnectAsync(live);
        await Eventually.TrueAsync(
            async () => (await Presence.ConnectionsAsync(liveId))!.Length == 1,
            "the live connection was never registered"
        );

        await fx.Second.Services.GetRequiredService<HubPresence>().SweepAsync(CancellationToken.None);

        Assert.Empty((await Presence.ConnectionsAsync(ghostId))!);
        Assert.Null(await redis.SortedSetScoreAsync(Presence.OnlineKey, ghostId.ToString()));
        var offline = await watching.WaitForAsync(LiveEvents.Presence, p => p.Str("user_id") == ghostId.ToString());
        Assert.False(offline.Arguments[0].GetProperty("online").GetBoolean());
        Assert.NotNull(
            await fx.ScalarAsync<DateTime?>(
                "SELECT last_offline_at FROM user_presence WHERE user_id = @u",
                ("u", ghostId)
            )
        );
        // A live instance's connections stay.
        Assert.Single((await Presence.ConnectionsAsync(liveId))!);
        Assert.Contains(liveId, (await Presence.OnlineAsync([liveId]))!);
    }
}
