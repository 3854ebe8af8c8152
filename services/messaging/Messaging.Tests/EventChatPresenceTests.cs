using Community.Contracts.Events;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace Community.Messaging.Tests;

/// <summary>
/// Seed 002's event chat presence over real WebSockets on two instances: user_joined when someone's first connection
/// opens an event chat, user_left when their last one leaves it or closes; never across a block, never for threads.
/// </summary>
public sealed class EventChatPresenceTests(RealTimeFixture fx) : IClassFixture<RealTimeFixture>
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(700);

    private static Task Join(LiveConnection client, string conversation) =>
        client.Connection.InvokeAsync<JsonElement>("JoinConversation", conversation, null);

    private async Task<(Guid EventId, string Chat)> EventAsync(Guid organizerId, string organizer)
    {
        var eventId = Guid.NewGuid();
        await fx.DeliverAsync(
            new EventPublished(
                Guid.NewGuid(),
                fx.Tick(),
                eventId,
                organizerId,
                "Dunes",
                fx.Clock.GetUtcNow().AddDays(2),
                fx.Clock.GetUtcNow().AddDays(2).AddHours(3),
                0,
                "AED"
            )
        );
        var chat = (
            await (await fx.Client.Get($"/api/v1/conversations/by-event/{eventId}", organizer)).AssertStatus(200)
        )["id"]!.GetValue<string>();
        return (eventId, chat);
    }

    private Task RegisterAsync(Guid eventId, Guid userId) =>
        fx.DeliverAsync(
            new RegistrationConfirmed(Guid.NewGuid(), fx.Tick(), Guid.NewGuid(), eventId, userId, "T", null)
        );

    [Fact]
    public async Task Opening_an_event_chat_announces_user_joined_once_and_the_last_connection_leaving_user_left()
    {
        var (organizerId, organizer) = await fx.RegisteredAsync();
        var (guestId, guest) = await fx.RegisteredAsync();
        var (eventId, chat) = await EventAsync(organizerId, organizer);
        await RegisterAsync(eventId, guestId);
        await using var host = await fx.ConnectAsync(organizer);
        await Join(host, chat);

        await using var phone = await fx.ConnectAsync(guest, viaB: true);
        await Join(phone, chat);
        var joined = await host.WaitForAsync("user_joined");
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
}
