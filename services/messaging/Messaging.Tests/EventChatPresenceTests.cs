using Community.Contracts.Events;
using Community.Messaging.Conversations;
using Community.ServiceDefaults.RealTime;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using StackExchange.Redis;

namespace Community.Messaging.Tests;

/// <summary>
/// Seed 002's event chat presence over real WebSockets on two instances: user_joined when someone's first connection
/// opens an event chat, user_left a linger after their last one leaves it or closes (neither when they come back
/// meanwhile); never across a block, never for threads.
/// </summary>
public sealed class EventChatPresenceTests(RealTimeFixture fx) : IClassFixture<RealTimeFixture>
{
    private EventChatPresence Presence => fx.Host.Services.GetRequiredService<EventChatPresence>();

    // Past the linger of a leave: one that should not be told would have been by then.
    private TimeSpan Quiet => Presence.Linger + TimeSpan.FromMilliseconds(1500);

    private static Task Join(LiveConnection client, string conversation) =>
        client.Connection.InvokeAsync<JsonElement>("JoinConversation", conversation, null);

    private async Task<(Guid EventId, string Chat)> EventAsync(Guid organizerId, string organizer)
    {
        var eventId = Guid.NewGuid();
        await fx.DeliverAsync(fx.Published(eventId, organizerId));
        var chat = (
            await (await fx.Client.Get($"/api/v1/conversations/by-event/{eventId}", organizer)).AssertStatus(200)
        )["id"]!.GetValue<string>();
        return (eventId, chat);
    }

    private Task RegisterAsync(Guid eventId, Guid userId) =>
        fx.DeliverAsync(
            new RegistrationConfirmed(Guid.NewGuid(), fx.Tick(), Guid.NewGuid(), eventId, userId, "T", null)
        );

    /// <summary>
    /// An event chat its organizer has open (Host, instance A), and a registered guest opening it (Phone, instance
    /// B), as the organizer heard it (Joined).
    /// </summary>
    private async Task<(
        Guid GuestId,
        string Guest,
        Guid EventId,
        string Chat,
        LiveConnection Host,
        LiveConnection Phone,
        HubCall Joined
    )> OpenedByAGuestAsync()
    {
        var (organizerId, organizer) = await fx.RegisteredAsync();
        var (guestId, guest) = await fx.RegisteredAsync();
        var (eventId, chat) = await EventAsync(organizerId, organizer);
        await RegisterAsync(eventId, guestId);
        var host = await fx.ConnectAsync(organizer);
        await Join(host, chat);
        var phone = await fx.ConnectAsync(guest, viaB: true);
        await Join(phone, chat);
        return (guestId, guest, eventId, chat, host, phone, await host.WaitForAsync("user_joined"));
    }

    [Fact]
    public async Task Opening_an_event_chat_announces_user_joined_once_and_the_last_connection_leaving_user_left()
    {
        var (guestId, guest, eventId, chat, opener, guestPhone, joined) = await OpenedByAGuestAsync();
        await using var host = opener;
        await using var phone = guestPhone;
        Assert.Equal(guestId.ToString(), joined.Str("user_id"));
        Assert.Equal(chat, joined.Str("conversation_id"));
        Assert.Equal(eventId.ToString(), joined.Str("event_id"));
        Assert.Equal("User " + joined.Str("username"), joined.Str("display_name"));
        // Registering is not opening: that push keeps its own name.
        Assert.Empty(host.ReceivedOf("attendee_registered"));

        // A second connection, or joining again to catch up, opens nothing new; leaving one of two leaves nothing.
        await using var laptop = await fx.ConnectAsync(guest);
        await Join(laptop, chat);
        await Join(phone, chat);
        await phone.Connection.InvokeAsync("LeaveConversation", chat);
        // Leaving a conversation never joined says nothing.
        await phone.Connection.InvokeAsync("LeaveConversation", chat);
        await Task.Delay(Quiet);
        Assert.Single(host.ReceivedOf("user_joined"));
        Assert.Empty(host.ReceivedOf("user_left"));

        await laptop.Connection.InvokeAsync("LeaveConversation", chat);
        var left = await host.WaitForAsync("user_left");
        Assert.Equal(guestId.ToString(), left.Str("user_id"));
        Assert.Equal(eventId.ToString(), left.Str("event_id"));

        // Opened again, then the connection closes: user_left as well.
        await Join(phone, chat);
        await host.WaitForCountAsync("user_joined", 2);
        await phone.Connection.StopAsync();
        await host.WaitForCountAsync("user_left", 2);
        // The one who opens hears nothing of themselves.
        Assert.Empty(laptop.ReceivedOf("user_joined"));
    }

    [Fact]
    public async Task Leaving_and_opening_again_before_the_leave_is_told_tells_neither_on_either_instance()
    {
        var (_, guest, _, chat, opener, guestPhone, _) = await OpenedByAGuestAsync();
        await using var host = opener;
        await using var phone = guestPhone;

        // A client joining and leaving in a loop, and one reconnecting on the other instance.
        for (var i = 0; i < 5; i++)
        {
            await phone.Connection.InvokeAsync("LeaveConversation", chat);
            await Join(phone, chat);
        }
        // Connected first, so only the join falls within the linger however slow the machine.
        await using var again = await fx.ConnectAsync(guest);
        await phone.Connection.StopAsync();
        await Join(again, chat);
        await Task.Delay(Quiet);
        Assert.Single(host.ReceivedOf("user_joined"));
        Assert.Empty(host.ReceivedOf("user_left"));

        // Gone for good: told once (both instances look for due leaves), a linger later.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await again.Connection.StopAsync();
        await host.WaitForAsync("user_left");
        Assert.True(clock.Elapsed >= Presence.Linger - TimeSpan.FromMilliseconds(100), $"told after {clock.Elapsed}");
        await Task.Delay(Quiet);
        Assert.Single(host.ReceivedOf("user_left"));
        Assert.Single(host.ReceivedOf("user_joined"));
    }

    [Fact]
    public async Task A_leave_pending_when_its_instance_died_is_told_by_another_and_one_the_user_came_back_from_waits()
    {
        var (guestId, _, eventId, chat, opener, guestPhone, _) = await OpenedByAGuestAsync();
        await using var host = opener;
        await using var phone = guestPhone;
        var (strayId, _) = await fx.RegisteredAsync();
        var redis = await fx.Host.Services.GetRequiredService<RealTimeRedisConnection>().DatabaseAsync();
        var presence = fx.Host.Services.GetRequiredService<HubPresence>();
        var chatId = Guid.Parse(chat);

        // The guest still has the chat open: a leave pending for them (an instance died after pending it while
        // another of their connections opened the chat) is not told; it waits for their entry to expire instead.
        await redis.SortedSetAddAsync(presence.PendingLeavesKey, HubPresence.PendingLeave(chatId, guestId), 1);
        // A member whose connection's instance died right after their leave was pended: any instance tells it.
        await RegisterAsync(eventId, strayId);
        await redis.SortedSetAddAsync(presence.PendingLeavesKey, HubPresence.PendingLeave(chatId, strayId), 1);
        var left = await host.WaitForAsync("user_left");
        Assert.Equal(strayId.ToString(), left.Str("user_id"));
        await Eventually.TrueAsync(
            async () =>
                await redis.SortedSetScoreAsync(presence.PendingLeavesKey, HubPresence.PendingLeave(chatId, strayId))
                    is null
                && await redis.SortedSetScoreAsync(presence.PendingLeavesKey, HubPresence.PendingLeave(chatId, guestId))
                    > 1,
            "the stray's leave was not taken, or the guest's not put off"
        );
        await Task.Delay(Quiet);
        Assert.Single(host.ReceivedOf("user_left"));
    }

    /// <summary>
    /// An entry of the guest in the chat that is not their connection's: one an instance that died left (there before
    /// the leave), or one a renewal that read the joins before the leave put back after it. Either holds the leave
    /// until the entry's lease (2 s past the linger, on Redis's clock) ends; then the leave is told.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_leave_waits_for_an_entry_of_the_user_still_in_the_chat_to_expire_and_is_told_then(bool first)
    {
        var (guestId, _, _, chat, opener, guestPhone, _) = await OpenedByAGuestAsync();
        await using var host = opener;
        await using var phone = guestPhone;
        var redis = await fx.Host.Services.GetRequiredService<RealTimeRedisConnection>().DatabaseAsync();
        var presence = fx.Host.Services.GetRequiredService<HubPresence>();
        // Started before Redis's clock is read: the entry's end is at least this long after it.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        if (!first)
            await phone.Connection.InvokeAsync("LeaveConversation", chat);
        var time = (RedisResult[])(await redis.ExecuteAsync("TIME"))!;
        var now = (long)time[0] * 1000 + (long)time[1] / 1000;
        var lease = Presence.Linger + TimeSpan.FromSeconds(2);
        await redis.SortedSetAddAsync(
            presence.JoinedKey(Guid.Parse(chat)),
            $"{guestId}/other-instance/entry",
            now + (long)lease.TotalMilliseconds
        );
        if (first)
            await phone.Connection.InvokeAsync("LeaveConversation", chat);

        await host.WaitForAsync("user_left");
        Assert.True(clock.Elapsed >= lease - TimeSpan.FromMilliseconds(50), $"told after {clock.Elapsed}");
        await Task.Delay(Quiet);
        Assert.Single(host.ReceivedOf("user_left"));
    }

    [Fact]
    public async Task An_instance_that_stops_leaves_its_event_chat_leaves_pending_for_a_linger()
    {
        var (guestId, _, _, _, opener, guestPhone, _) = await OpenedByAGuestAsync();
        await using var host = opener;
        await using var phone = guestPhone;

        // Instance B stops: its keeper closes the connections it holds (the guest's phone among them).
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await fx.Second.Services.GetRequiredService<HubPresence>().CloseAllAsync(CancellationToken.None);
        var left = await host.WaitForAsync("user_left");
        Assert.Equal(guestId.ToString(), left.Str("user_id"));
        Assert.True(clock.Elapsed >= Presence.Linger - TimeSpan.FromMilliseconds(100), $"told after {clock.Elapsed}");
        await Task.Delay(Quiet);
        Assert.Single(host.ReceivedOf("user_left"));
    }

    [Fact]
    public async Task A_blocked_pair_never_hears_each_other_open_or_leave_and_threads_and_outsiders_announce_nothing()
    {
        var (organizerId, organizer) = await fx.RegisteredAsync();
        var (blockerId, blocker) = await fx.RegisteredAsync();
        var (blockedId, blocked) = await fx.RegisteredAsync();
        var (_, outsider) = await fx.RegisteredAsync();
        var (eventId, chat) = await EventAsync(organizerId, organizer);
        await RegisterAsync(eventId, blockerId);
        await RegisterAsync(eventId, blockedId);
        await fx.BlockAsync(blockerId, blockedId);
        await using var host = await fx.ConnectAsync(organizer);
        await using var blockerClient = await fx.ConnectAsync(blocker, viaB: true);
        await Join(host, chat);
        await Join(blockerClient, chat);
        await host.WaitForAsync("user_joined", c => c.Str("user_id") == blockerId.ToString());

        await using var blockedClient = await fx.ConnectAsync(blocked);
        await Join(blockedClient, chat);
        await host.WaitForAsync("user_joined", c => c.Str("user_id") == blockedId.ToString());
        await blockedClient.Connection.InvokeAsync("LeaveConversation", chat);
        await host.WaitForAsync("user_left", c => c.Str("user_id") == blockedId.ToString());
        // An outsider's refused join announces nothing.
        await using var outsiderClient = await fx.ConnectAsync(outsider);
        await Assert.ThrowsAsync<HubException>(() => Join(outsiderClient, chat));

        // A thread is no event chat: opening it announces nothing.
        var groupId = await fx.GroupAsync(organizerId, "Crew", blockerId);
        var thread = await fx.ThreadAsync(organizer, groupId, "Plans", "Plans?");
        await Join(host, thread);
        await Join(blockerClient, thread);
        await Task.Delay(Quiet);
        Assert.DoesNotContain(blockerClient.ReceivedOf("user_joined"), c => c.Str("user_id") == blockedId.ToString());
        Assert.Empty(blockerClient.ReceivedOf("user_left"));
        Assert.Equal(2, host.ReceivedOf("user_joined").Count);
        Assert.Single(host.ReceivedOf("user_left"));
    }

    [Fact]
    public async Task A_connection_kept_open_after_its_registration_ended_announces_nothing_when_it_leaves()
    {
        var (organizerId, organizer) = await fx.RegisteredAsync();
        var (guestId, guest) = await fx.RegisteredAsync();
        var (eventId, chat) = await EventAsync(organizerId, organizer);
        var registration = Guid.NewGuid();
        await fx.DeliverAsync(
            new RegistrationConfirmed(Guid.NewGuid(), fx.Tick(), registration, eventId, guestId, "T", null)
        );
        await using var host = await fx.ConnectAsync(organizer);
        await Join(host, chat);
        await using var phone = await fx.ConnectAsync(guest, viaB: true);
        await Join(phone, chat);
        await host.WaitForAsync("user_joined");

        await fx.DeliverAsync(
            new RsvpCancelled(Guid.NewGuid(), fx.Tick(), registration, eventId, guestId, "confirmed", 0, null, null)
        );
        await host.WaitForAsync("attendee_cancelled");
        await phone.Connection.StopAsync();
        await Task.Delay(Quiet);
        Assert.Empty(host.ReceivedOf("user_left"));
    }

    [Fact]
    public async Task The_organizer_registering_for_their_own_event_is_no_attendee_and_stays_in_its_chat()
    {
        var (organizerId, organizer) = await fx.RegisteredAsync();
        var (guestId, guest) = await fx.RegisteredAsync();
        var (laterId, _) = await fx.RegisteredAsync();
        var eventId = Guid.NewGuid();
        var published = fx.Published(eventId, organizerId);
        // Their own registration, newer than the publication, is handled first (a backlog: each on its own queue).
        var own = Guid.NewGuid();
        await fx.DeliverAsync(
            new RegistrationConfirmed(Guid.NewGuid(), fx.Tick(), own, eventId, organizerId, "O", null)
        );
        await fx.DeliverAsync(published);
        await fx.DeliverAsync(
            new RegistrationConfirmed(Guid.NewGuid(), fx.Tick(), Guid.NewGuid(), eventId, guestId, "G", null)
        );
        var chat = (await (await fx.Client.Get($"/api/v1/conversations/by-event/{eventId}", guest)).AssertStatus(200))[
            "id"
        ]!.GetValue<string>();
        await using var phone = await fx.ConnectAsync(guest);
        await Join(phone, chat);

        // Cancelling their registration and registering again leaves the organizer where they were: no one is told of
        // an attendee leaving or joining.
        await fx.DeliverAsync(
            new RsvpCancelled(Guid.NewGuid(), fx.Tick(), own, eventId, organizerId, "confirmed", 0, null, null)
        );
        await fx.DeliverAsync(
            new RegistrationConfirmed(Guid.NewGuid(), fx.Tick(), Guid.NewGuid(), eventId, organizerId, "O2", null)
        );
        await fx.DeliverAsync(
            new RegistrationConfirmed(Guid.NewGuid(), fx.Tick(), Guid.NewGuid(), eventId, laterId, "L", null)
        );
        await phone.WaitForAsync("attendee_registered", c => c.Str("user_id") == laterId.ToString());
        Assert.DoesNotContain(phone.ReceivedOf("attendee_cancelled"), c => c.Str("user_id") == organizerId.ToString());
        Assert.DoesNotContain(phone.ReceivedOf("attendee_registered"), c => c.Str("user_id") == organizerId.ToString());

        var theirs = await (await fx.Client.Get($"/api/v1/conversations/by-event/{eventId}", organizer)).AssertStatus(
            200
        );
        Assert.Equal(chat, theirs["id"]!.GetValue<string>());
        await fx.SendAsync(organizer, chat, "See you at the dunes");
        Assert.Equal(
            "organizer",
            await fx.ScalarAsync<string>(
                "SELECT role FROM conversation_members WHERE conversation_id = @c AND user_id = @u AND active",
                ("c", Guid.Parse(chat)),
                ("u", organizerId)
            )
        );
    }
}
