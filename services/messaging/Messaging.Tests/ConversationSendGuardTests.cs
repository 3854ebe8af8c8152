using Community.Contracts.Events;
using Community.Messaging.Conversations;

namespace Community.Messaging.Tests;

/// <summary>
/// A send to a conversation the instance already knows goes straight to its statement, which checks who may send
/// itself (<see cref="MessageInsert"/>): every refusal of the access check holds there too, answered as the access
/// check answers it, with nothing stored; and what it allows again is sent again.
/// </summary>
public sealed class ConversationSendGuardTests(MessagingFixture fx) : IClassFixture<MessagingFixture>
{
    private ConversationShapes Shapes => fx.Host.Services.GetRequiredService<ConversationShapes>();

    private async Task Refused(string token, string conversation, int status) =>
        await (
            await fx.Client.PostJson(
                $"/api/v1/conversations/{conversation}/messages",
                new { text = "Refused", client_txn_id = Guid.NewGuid().ToString("N") },
                token
            )
        ).AssertProblem(status);

    // Only what was answered 201 is stored, numbered 1..n.
    private async Task AssertStored(string conversation, long count)
    {
        foreach (
            var sql in new[]
            {
                "SELECT last_seq FROM conversations WHERE id = @c",
                "SELECT count(*) FROM messages WHERE conversation_id = @c",
                "SELECT count(*) FROM messages WHERE conversation_id = @c AND text <> 'Refused'",
            }
        )
            Assert.Equal(count, await fx.ScalarAsync<long>(sql, ("c", Guid.Parse(conversation))));
    }

    /// <summary>A group's thread with one message of its member, known to the instance.</summary>
    private async Task<(string Owner, Guid MemberId, string Member, Guid GroupId, string Thread)> ThreadAsync(
        string name
    )
    {
        var (ownerId, owner) = await fx.RegisteredAsync();
        var (memberId, member) = await fx.RegisteredAsync();
        var groupId = await fx.GroupAsync(ownerId, name, memberId);
        var thread = await fx.ThreadAsync(owner, groupId, "Saturday", "Who comes?");
        await fx.SendAsync(member, thread, "Me");
        Assert.NotNull(Shapes.Find(Guid.Parse(thread), memberId));
        return (owner, memberId, member, groupId, thread);
    }

    [Fact]
    public async Task In_a_direct_conversation_blocks_either_way_and_a_removed_connection_refuse_the_send()
    {
        var (aId, a, bId, b, c) = await fx.PairAsync();
        var (strangerId, stranger) = await fx.RegisteredAsync();
        await fx.SendAsync(a, c, "Hello");
        // Known to the instance: the sends below go straight to the statement (the stranger's never does).
        Assert.NotNull(Shapes.Find(Guid.Parse(c), aId));
        Assert.NotNull(Shapes.Find(Guid.Parse(c), bId));
        Assert.Null(Shapes.Find(Guid.Parse(c), strangerId));

        await fx.BlockAsync(aId, bId);
        await Refused(a, c, 403); // the blocker: closed for sending
        await Refused(b, c, 404); // the blocked side does not see it
        await fx.DeliverAsync(new UserUnblocked(Guid.NewGuid(), fx.Tick(), aId, bId));
        await fx.SendAsync(b, c, "Unblocked");

        await fx.BlockAsync(bId, aId);
        await Refused(a, c, 404);
        await Refused(b, c, 403);
        await fx.DeliverAsync(new UserUnblocked(Guid.NewGuid(), fx.Tick(), bId, aId));
        await fx.SendAsync(a, c, "Unblocked again");

        await fx.DisconnectAsync(aId, bId);
        await Refused(a, c, 422);
        await Refused(b, c, 422);
        await Refused(stranger, c, 404);
        await AssertStored(c, 3);
    }

    [Fact]
    public async Task In_a_thread_leaving_the_group_or_the_threads_deletion_refuses_the_send()
    {
        var (owner, memberId, member, groupId, thread) = await ThreadAsync("Climbers");

        await fx.DeliverAsync(new GroupMemberLeft(Guid.NewGuid(), fx.Tick(), groupId, memberId));
        await Refused(member, thread, 404);
        await fx.DeliverAsync(new GroupMemberJoined(Guid.NewGuid(), fx.Tick(), groupId, memberId));
        await fx.SendAsync(member, thread, "Back");

        await (await fx.Client.SendJson(HttpMethod.Delete, $"/api/v1/threads/{thread}", null, owner)).AssertStatus(204);
        await Refused(member, thread, 404);
        await Refused(owner, thread, 404);
        await AssertStored(thread, 3);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_thread_whose_author_is_in_a_block_with_a_member_is_hidden_from_them_and_refuses_their_send(
        bool authorBlocks
    )
    {
        var (ownerId, owner) = await fx.RegisteredAsync();
        var (authorId, author) = await fx.RegisteredAsync();
        var (memberId, member) = await fx.RegisteredAsync();
        var groupId = await fx.GroupAsync(ownerId, "Knitters", authorId, memberId);
        var thread = await fx.ThreadAsync(author, groupId, "Patterns", "Share yours");
        var first = (await fx.SendAsync(member, thread, "Mine"))["id"]!.GetValue<Guid>();
        await fx.SendAsync(owner, thread, "Lovely");
        Assert.NotNull(Shapes.Find(Guid.Parse(thread), memberId));
        Assert.NotNull(Shapes.Find(Guid.Parse(thread), ownerId));

        if (authorBlocks)
            await fx.BlockAsync(authorId, memberId);
        else
            await fx.BlockAsync(memberId, authorId);
        // The group's owner moderates it: a block with the author does not take the thread out of moderation.
        await fx.BlockAsync(authorId, ownerId);
        await fx.SendAsync(owner, thread, "Keep it kind");
        await (await fx.Client.Get($"/api/v1/conversations/{thread}/messages", owner)).AssertStatus(200);
        await (await fx.Client.Get($"/api/v1/conversations/{thread}", owner)).AssertStatus(200);
        // and finds it where threads are found: by its id, in the group's list and in a search
        await (await fx.Client.Get($"/api/v1/threads/{thread}", owner)).AssertStatus(200);
        var threads = await (await fx.Client.Get($"/api/v1/threads?group_id={groupId}", owner)).AssertStatus(200);
        Assert.Contains(threads["items"]!.AsArray(), t => t!["id"]!.GetValue<string>() == thread);
        var found = await (await fx.Client.Get("/api/v1/threads/search?q=patterns", owner)).AssertStatus(200);
        Assert.Contains(found["items"]!.AsArray(), t => t!["id"]!.GetValue<string>() == thread);
        // The send goes straight to the statement (the instance knows the thread) and is refused there; every read of
        // the thread's messages answers as for a thread that does not exist, and the list leaves it out.
        await Refused(member, thread, 404);
        await (await fx.Client.Get($"/api/v1/conversations/{thread}", member)).AssertProblem(404);
        await (await fx.Client.Get($"/api/v1/conversations/{thread}/messages", member)).AssertProblem(404);
        await (await fx.Client.Get($"/api/v1/threads/{thread}/messages/{first}/replies", member)).AssertProblem(404);
        var list = await (await fx.Client.Get("/api/v1/conversations?kind=thread", member)).AssertStatus(200);
        Assert.DoesNotContain(list["items"]!.AsArray(), c => c!["id"]!.GetValue<string>() == thread);
        await (await fx.Client.Get($"/api/v1/threads/{thread}", member)).AssertProblem(404);
        var memberThreads = await (await fx.Client.Get($"/api/v1/threads?group_id={groupId}", member)).AssertStatus(
            200
        );
        Assert.DoesNotContain(memberThreads["items"]!.AsArray(), t => t!["id"]!.GetValue<string>() == thread);
        // Nor does a change to the thread tell them it exists (a 403 would): edit, pin, delete answer 404 too.
        var edit = new { title = "Mine now" };
        await (await fx.Client.SendJson(HttpMethod.Patch, $"/api/v1/threads/{thread}", edit, member)).AssertProblem(
            404
        );
        await (await fx.Client.PostJson($"/api/v1/threads/{thread}/pin", new { }, member)).AssertProblem(404);
        await (await fx.Client.SendJson(HttpMethod.Delete, $"/api/v1/threads/{thread}", null, member)).AssertProblem(
            404
        );
        await (await fx.Client.PostJson($"/api/v1/threads/{thread}/pin", new { }, owner)).AssertStatus(200);

        if (authorBlocks)
            await fx.DeliverAsync(new UserUnblocked(Guid.NewGuid(), fx.Tick(), authorId, memberId));
        else
            await fx.DeliverAsync(new UserUnblocked(Guid.NewGuid(), fx.Tick(), memberId, authorId));
        await fx.SendAsync(member, thread, "Back");
        await (await fx.Client.Get($"/api/v1/conversations/{thread}/messages", member)).AssertStatus(200);
        await AssertStored(thread, 5);
    }

    [Fact]
    public async Task In_a_thread_of_a_deleted_group_the_send_is_refused()
    {
        var (_, _, member, groupId, thread) = await ThreadAsync("Runners");

        await fx.DeliverAsync(new GroupDeleted(Guid.NewGuid(), fx.Tick(), groupId));
        await Refused(member, thread, 404);
        await AssertStored(thread, 2);
    }

    [Fact]
    public async Task In_an_event_chat_a_cancelled_registration_or_the_events_cancellation_refuses_the_send()
    {
        var swim = await fx.EventChatAsync("Night swim");
        var (organizer, attendeeId, attendee, eventId, chat) = (
            swim.Organizer,
            swim.AttendeeId,
            swim.Attendee,
            swim.EventId,
            swim.Chat
        );
        await fx.SendAsync(attendee, chat, "Bringing towels");
        Assert.NotNull(Shapes.Find(Guid.Parse(chat), attendeeId));

        await fx.DeliverAsync(fx.Cancelled(swim));
        await Refused(attendee, chat, 404);
        await fx.RegisteredForAsync(eventId, attendeeId);
        await fx.SendAsync(attendee, chat, "Back in");

        await fx.DeliverAsync(new EventCancelled(Guid.NewGuid(), fx.Tick(), eventId, "Storm"));
        await Refused(attendee, chat, 409);
        await Refused(organizer, chat, 409);
        await AssertStored(chat, 2);
    }

    [Fact]
    public async Task A_block_committed_after_a_replys_check_and_before_its_statement_still_refuses_it()
    {
        var (aId, a, bId, _, c) = await fx.PairAsync();
        var first = await fx.SendAsync(a, c, "Hello");
        // A reply is checked first (the sender's access, then the message replied to). B's block commits while the
        // reply waits on the messages table, after its access was read and before its statement ran.
        var reply = await fx.CommitsWhileWaitedOnAsync(
            """
            INSERT INTO blocks (blocker_id, blocked_id, blocked, as_of) VALUES (@b, @a, true, now())
            ON CONFLICT (blocker_id, blocked_id) DO UPDATE SET blocked = true, as_of = now();
            LOCK TABLE messages IN ACCESS EXCLUSIVE MODE;
            """,
            () =>
                fx.Client.PostJson(
                    $"/api/v1/conversations/{c}/messages",
                    new
                    {
                        text = "Refused",
                        client_txn_id = Guid.NewGuid().ToString("N"),
                        reply_to = first["id"]!.GetValue<Guid>(),
                    },
                    a
                ),
            "The reply never waited on the messages table.",
            ("a", aId),
            ("b", bId)
        );
        // The blocked side does not see the conversation: as if the block had come first, nothing stored.
        await reply.AssertProblem(404);
        await AssertStored(c, 1);
    }

    /// <summary>
    /// A thread's send meeting its sender's erasure under way (the profile a tombstone, the account's places in
    /// conversations deleted and its memberships ended, not yet committed): it does not make the deleted account a
    /// place in the thread again.
    /// </summary>
    [Fact]
    public async Task A_thread_send_meeting_its_senders_erasure_under_way_leaves_the_account_no_place_in_the_thread()
    {
        var (_, memberId, member, _, thread) = await ThreadAsync("Swimmers");
        Assert.Equal(1L, await PlacesOfAsync(memberId));
        using var send = await fx.CommitsWhileWaitedOnAsync(
            """
            UPDATE user_profiles SET username = NULL, display_name = NULL, deleted_at = now() WHERE user_id = @u;
            DELETE FROM conversation_members WHERE user_id = @u;
            UPDATE group_members SET active = false WHERE user_id = @u;
            """,
            () =>
                fx.Client.PostJson(
                    $"/api/v1/conversations/{thread}/messages",
                    new { text = "As the account goes", client_txn_id = Guid.NewGuid().ToString("N") },
                    member
                ),
            "The send never waited for the erasure.",
            ("u", memberId)
        );
        Assert.Equal(0L, await PlacesOfAsync(memberId));
    }

    /// <summary>
    /// A read or a mute in a thread meeting the account's erasure under way, as a send does above: answered as for a
    /// thread it cannot open, and the deleted account gets no place in the thread again.
    /// </summary>
    [Theory]
    [InlineData("read")]
    [InlineData("mute")]
    public async Task A_read_or_mute_meeting_the_accounts_erasure_under_way_leaves_it_no_place_in_the_thread(
        string action
    )
    {
        var (_, memberId, member, _, thread) = await ThreadAsync("Rowers");
        Assert.Equal(1L, await PlacesOfAsync(memberId));
        using var answer = await fx.CommitsWhileWaitedOnAsync(
            """
            UPDATE user_profiles SET username = NULL, display_name = NULL, deleted_at = now() WHERE user_id = @u;
            DELETE FROM conversation_members WHERE user_id = @u;
            UPDATE group_members SET active = false WHERE user_id = @u;
            """,
            () =>
                action == "read"
                    ? fx.Client.PostJson($"/api/v1/conversations/{thread}/read", new { seq = 2 }, member)
                    : fx.Client.SendJson(HttpMethod.Put, $"/api/v1/conversations/{thread}/mute", null, member),
            $"The {action} never waited for the erasure.",
            ("u", memberId)
        );
        await answer.AssertProblem(404);
        Assert.Equal(0L, await PlacesOfAsync(memberId));
    }

    private Task<long> PlacesOfAsync(Guid userId) =>
        fx.ScalarAsync<long>("SELECT count(*) FROM conversation_members WHERE user_id = @u", ("u", userId));

    /// <summary>
    /// A send waiting for the conversation's row (another send holding it, one with attachments say) while a block
    /// commits: it is refused, as if the block had come first, rather than numbered and pushed to the one who blocked.
    /// </summary>
    [Fact]
    public async Task A_block_committed_while_a_send_waits_for_the_conversations_lock_refuses_it()
    {
        var (aId, a, bId, _, c) = await fx.PairAsync();
        await fx.SendAsync(a, c, "Hello");
        var send = await fx.CommitsWhileWaitedOnAsync(
            """
            INSERT INTO blocks (blocker_id, blocked_id, blocked, as_of) VALUES (@b, @a, true, now())
            ON CONFLICT (blocker_id, blocked_id) DO UPDATE SET blocked = true, as_of = now();
            SELECT 1 FROM conversations WHERE id = @c FOR UPDATE;
            """,
            () =>
                fx.Client.PostJson(
                    $"/api/v1/conversations/{c}/messages",
                    new { text = "After the block", client_txn_id = Guid.NewGuid().ToString("N") },
                    a
                ),
            "The send never waited on the conversation's lock.",
            ("a", aId),
            ("b", bId),
            ("c", Guid.Parse(c))
        );
        await send.AssertProblem(404);
        await AssertStored(c, 1);
        // Announced for the first message only.
        Assert.Equal(
            1L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM outbox_messages WHERE type LIKE '%.MessageSent,%' "
                    + "AND payload->>'conversationId' = @c",
                ("c", c)
            )
        );
    }

    [Theory]
    [InlineData("PATCH")]
    [InlineData("DELETE")]
    public async Task A_block_committed_while_an_edit_or_delete_waits_for_the_messages_lock_refuses_it(string method)
    {
        var (aId, a, bId, _, c) = await fx.PairAsync();
        var id = (await fx.SendAsync(a, c, "Hello"))["id"]!.GetValue<Guid>();
        // A's access is read first (no block yet); B's block commits while the change waits on the message's row.
        var change = await fx.CommitsWhileWaitedOnAsync(
            """
            INSERT INTO blocks (blocker_id, blocked_id, blocked, as_of) VALUES (@b, @a, true, now())
            ON CONFLICT (blocker_id, blocked_id) DO UPDATE SET blocked = true, as_of = now();
            SELECT 1 FROM messages WHERE id = @m FOR UPDATE;
            """,
            () =>
                fx.Client.SendJson(
                    new HttpMethod(method),
                    $"/api/v1/conversations/{c}/messages/{id}",
                    method == "PATCH" ? new { text = "After the block" } : null,
                    a
                ),
            "The change never waited on the message's lock.",
            ("a", aId),
            ("b", bId),
            ("m", id)
        );
        // As if the block had come first: the blocked side does not see the conversation, and B's history keeps
        // the message as it was when B blocked.
        await change.AssertProblem(404);
        Assert.Equal(
            "Hello",
            await fx.ScalarAsync<string>(
                "SELECT text FROM messages WHERE id = @m AND deleted_at IS NULL AND edited_at IS NULL",
                ("m", id)
            )
        );
    }

    [Fact]
    public async Task A_send_straight_to_the_statement_notifies_as_a_checked_one_an_event_chats_naming_its_event()
    {
        var (organizerId, organizer) = await fx.RegisteredAsync();
        var (attendeeId, attendee) = await fx.RegisteredAsync();
        var eventId = await fx.EventAsync(organizerId, "Dune walk");
        await fx.RegisteredForAsync(eventId, attendeeId);
        var chat = await fx.ScalarAsync<Guid>("SELECT id FROM conversations WHERE event_id = @e", ("e", eventId));
        await fx.SendAsync(attendee, chat.ToString(), "Meeting at the car park?");
        Assert.NotNull(Shapes.Find(chat, attendeeId));
        await fx.SendAsync(attendee, chat.ToString(), "Or at the gate?");

        // One notification for both, folded; where it opens is the event's chat at its event, as the first said.
        var items = (await (await fx.Client.Get("/api/v1/notifications", organizer)).AssertStatus(200))[
            "items"
        ]!.AsArray();
        var told = Assert.Single(items, i => i!["kind"]!.GetValue<string>() == "message_received")!;
        Assert.Equal(2, told["count"]!.GetValue<int>());
        Assert.Equal(eventId, told["data"]!["event_id"]!.GetValue<Guid>());
    }

    [Fact]
    public async Task A_retry_sent_straight_to_the_statement_answers_with_the_first_message_also_once_refused()
    {
        var (aId, a, bId, _, c) = await fx.PairAsync();
        await fx.SendAsync(a, c, "Hello");
        Assert.NotNull(Shapes.Find(Guid.Parse(c), aId));

        var first = await fx.SendAsync(a, c, "Once", txn: "retry-1");
        var again = await fx.SendAsync(a, c, "Once", txn: "retry-1", status: 200);
        Assert.Equal(first["id"]!.GetValue<string>(), again["id"]!.GetValue<string>());
        // Closed for sending since: the retry still answers with what was sent.
        await fx.BlockAsync(aId, bId);
        var late = await fx.SendAsync(a, c, "Once", txn: "retry-1", status: 200);
        Assert.Equal(first["id"]!.GetValue<string>(), late["id"]!.GetValue<string>());
        await AssertStored(c, 2);
    }

    [Fact]
    public async Task A_send_the_statement_allows_is_its_only_round_trip_in_every_kind_whichever_member_sends()
    {
        var (_, a, _, b, c) = await fx.PairAsync();
        var (_, _, member, _, thread) = await ThreadAsync("Walkers");
        var (organizerId, _) = await fx.RegisteredAsync();
        var (guestId, guest) = await fx.RegisteredAsync();
        var eventId = await fx.EventAsync(organizerId, "Picnic");
        await fx.RegisteredForAsync(eventId, guestId);
        var chat = await fx.ScalarAsync<Guid>("SELECT id FROM conversations WHERE event_id = @e", ("e", eventId));
        var senders = new[]
        {
            (a, c, ConversationKinds.Direct),
            (b, c, ConversationKinds.Direct),
            (member, thread, ConversationKinds.Thread),
            (guest, chat.ToString(), ConversationKinds.EventChat),
        };
        // Each sender seen once by the instance (their identity remembered) and each conversation known.
        foreach (var (token, conversation, _) in senders)
            await fx.SendAsync(token, conversation, "Hello");

        // Both of a pair (the lower id and the higher), a thread's member, an event chat's member: refused by the
        // statement, a send would be sent again checked first (more round trips, the same answer).
        foreach (var (token, conversation, kind) in senders)
        {
            var commands = await CommandsOfAsync(() => fx.SendAsync(token, conversation, "One round trip"));
            Assert.True(
                commands is [var only]
                    && only.StartsWith(MessageInsert.LocksOf(kind) + "WITH earlier AS", StringComparison.Ordinal),
                $"The send ran {commands.Count} commands: {string.Join(" | ", commands)}"
            );
        }
    }

    /// <summary>The database commands <paramref name="request"/> ran in the service: those of its trace.</summary>
    private static async Task<List<string>> CommandsOfAsync(Func<Task> request)
    {
        var commands = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using var trace = new System.Diagnostics.Activity("send under test").Start();
        var traceId = trace.TraceId;
        using var listener = new System.Diagnostics.ActivityListener
        {
            ShouldListenTo = source => source.Name == "Npgsql",
            Sample = (ref System.Diagnostics.ActivityCreationOptions<System.Diagnostics.ActivityContext> _) =>
                System.Diagnostics.ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.TraceId == traceId)
                    commands.Enqueue(
                        activity.GetTagItem("db.query.text") as string
                            ?? activity.GetTagItem("db.statement") as string
                            ?? activity.DisplayName
                    );
            },
        };
        System.Diagnostics.ActivitySource.AddActivityListener(listener);
        await request();
        return [.. commands.Select(c => c.TrimStart())];
    }
}
