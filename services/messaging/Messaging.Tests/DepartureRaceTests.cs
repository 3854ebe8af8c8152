namespace Community.Messaging.Tests;

/// <summary>
/// A message sent while one of its recipients leaves (a group, an event chat): the send is held at its file's claim,
/// after its statement wrote their notification and before its commit. The departure waits for it, so no "sent you a
/// message" outlives it for a conversation they can no longer open (nor clear by reading). The event chat's case held
/// before its lock too (the departure's write of the chat's row waits on the send's): a guard.
/// </summary>
public sealed class DepartureRaceTests(MessagingFixture fx) : IClassFixture<MessagingFixture>
{
    private Task<long> UnreadMessagesAsync(Guid userId) =>
        fx.ScalarAsync<long>(
            "SELECT count(*) FROM notifications WHERE user_id = @u AND kind = 'message_received' AND read_at IS NULL",
            ("u", userId)
        )!;

    /// <summary>
    /// <paramref name="sender"/>'s message with a file in <paramref name="conversation"/>, held at the file's claim
    /// while <paramref name="departure"/> is handled by <paramref name="consumer"/>, then let go; both end.
    /// </summary>
    private async Task SentWhileLeavingAsync<T>(string sender, string conversation, T departure, string consumer)
        where T : class, IIntegrationEvent
    {
        var file = (
            await (await fx.UploadAsync(sender, conversation, Images.Png(), "p.png", "image/png")).AssertStatus(201)
        )["id"]!.GetValue<string>();
        var claim = await fx.HoldAsync("SELECT 1 FROM attachments WHERE id = @f FOR UPDATE", ("f", Guid.Parse(file)));
        Task<HttpResponseMessage> send;
        Task handled;
        await using (claim)
        {
            send = fx.Client.PostJson(
                $"/api/v1/conversations/{conversation}/messages",
                new
                {
                    text = "Coming?",
                    attachments = new[] { file },
                    client_txn_id = Guid.NewGuid().ToString("N"),
                },
                sender
            );
            await fx.WaitingOnALockAsync("%attachments%", 1, "the send never reached its file's claim");
            await fx.PublishAsync(departure);
            handled = fx.HandledAsync(departure.MessageId, consumer);
            // Ended at once (the code before the fix, which the assertions refuse), or waiting for the send.
            await fx.DoneOrWaitingOnALockAsync(
                () => handled.IsCompleted,
                "%",
                2,
                "the departure neither ended nor waited for the send"
            );
        }
        using var sent = await send;
        await sent.AssertStatus(201);
        await handled;
    }

    [Fact]
    public async Task A_member_leaving_a_group_while_a_thread_message_is_sent_keeps_no_notification_of_it()
    {
        var (ownerId, owner) = await fx.RegisteredAsync();
        var (memberId, _) = await fx.RegisteredAsync();
        var groupId = await fx.GroupAsync(ownerId, "Climbers", memberId);
        var thread = await fx.ThreadAsync(owner, groupId, "Friday", "Who climbs?");
        Assert.Equal(1L, await UnreadMessagesAsync(memberId));

        await SentWhileLeavingAsync(
            owner,
            thread,
            new GroupMemberLeft(Guid.NewGuid(), fx.Tick(), groupId, memberId),
            "GroupMemberLeftConsumer"
        );
        Assert.Equal(0L, await UnreadMessagesAsync(memberId));
    }

    [Fact]
    public async Task An_attendee_cancelling_while_an_event_chat_message_is_sent_keeps_no_notification_of_it()
    {
        var swim = await fx.EventChatAsync("Night swim");
        var (organizer, attendeeId, chat) = (swim.Organizer, swim.AttendeeId, swim.Chat);
        await fx.SendAsync(organizer, chat, "Towels, everyone");
        Assert.Equal(1L, await UnreadMessagesAsync(attendeeId));

        // Held before the chat's row was share-locked too: the chat's insert (EventChats.EnsureAsync) met the send's
        // uncommitted update of its row and waited. The lock no longer leaves that to chance.

        await SentWhileLeavingAsync(organizer, chat, fx.Cancelled(swim), "RsvpCancelledConsumer");
        Assert.Equal(0L, await UnreadMessagesAsync(attendeeId));
    }
}
