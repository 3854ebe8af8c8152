using Community.Contracts.Events;
using Community.Contracts.Identity;

namespace Community.Messaging.Tests;

/// <summary>What other services announce decides who may use which conversation; replays and stale messages change
/// nothing.</summary>
public sealed class ProjectionsTests(MessagingFixture fx) : IClassFixture<MessagingFixture>
{
    [Fact]
    public async Task Replayed_and_stale_messages_change_nothing()
    {
        var (aId, a) = await fx.RegisteredAsync();
        var (bId, _) = await fx.RegisteredAsync();
        var accepted = new ConnectionAccepted(Guid.NewGuid(), fx.Tick(), Guid.NewGuid(), aId, bId);
        await fx.DeliverAsync(accepted);
        await fx.DisconnectAsync(bId, aId);
        // The acceptance delivered again (same message id) is skipped by the inbox.
        await fx.PublishAsync(accepted);
        // A different message that is older than the removal changes nothing either.
        await fx.DeliverAsync(new ConnectionAccepted(Guid.NewGuid(), accepted.OccurredAt, Guid.NewGuid(), aId, bId));
        await (await fx.Client.PostJson("/api/v1/conversations/direct", new { user_id = bId }, a)).AssertProblem(422);
        // The projection's own inbox row (the notifications consumer keeps one of its own for the same message).
        Assert.Equal(
            1L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM inbox_messages "
                    + "WHERE message_id = @id AND consumer LIKE '%.ConnectionAcceptedConsumer'",
                ("id", accepted.MessageId)
            )
        );

        // A stale profile does not overwrite a newer name; a deleted user stays deleted.
        var renamed = new UserProfileUpdated(
            Guid.NewGuid(),
            fx.Tick(),
            aId,
            "newname",
            "New Name",
            null,
            null,
            null,
            [],
            [],
            null,
            ["full_name"]
        );
        await fx.DeliverAsync(renamed);
        await fx.DeliverAsync(
            renamed with
            {
                MessageId = Guid.NewGuid(),
                OccurredAt = renamed.OccurredAt.AddSeconds(-10),
                FullName = "Old Name",
            }
        );
        Assert.Equal(
            "New Name",
            await fx.ScalarAsync<string>("SELECT display_name FROM user_profiles WHERE user_id = @id", ("id", aId))
        );
        await fx.DeliverAsync(new UserDeleted(Guid.NewGuid(), fx.Tick(), bId));
        await fx.DeliverAsync(
            new UserProfileUpdated(
                Guid.NewGuid(),
                fx.Tick(),
                bId,
                "back",
                "Back",
                null,
                null,
                null,
                [],
                [],
                null,
                ["full_name"]
            )
        );
        Assert.True(
            await fx.ScalarAsync<bool>(
                "SELECT deleted_at IS NOT NULL FROM user_profiles WHERE user_id = @id",
                ("id", bId)
            )
        );
        await (await fx.Client.PostJson("/api/v1/conversations/direct", new { user_id = bId }, a)).AssertProblem(404);
    }

    [Fact]
    public async Task An_account_announced_again_keeps_its_picture_whichever_of_its_two_events_comes_first()
    {
        // identity's announcement: a registration (no picture) and a profile update, both as of the last change
        foreach (var profileFirst in new[] { false, true })
        {
            var id = Guid.NewGuid();
            var at = fx.Tick();
            var username = "again" + id.ToString("N")[..8];
            var profile = IdentityMessages.Profile(id, at, username, "Again") with
            {
                ProfileImageUrl = $"/api/v1/users/{id}/picture",
            };
            await fx.AnnouncedAgainAsync(IdentityMessages.Registered(id, at, username, "Again"), profile, profileFirst);

            Assert.Equal($"/api/v1/users/{id}/picture", await PictureAsync(id));

            // a newer registration (an announcement of a later change whose profile update is still on its way)
            // changes the names and leaves the picture
            var later = IdentityMessages.Registered(id, fx.Tick(), username + "x", "Later");
            await fx.DeliverAsync(later);
            Assert.Equal($"/api/v1/users/{id}/picture", await PictureAsync(id));
            Assert.Equal(
                "Later",
                await fx.ScalarAsync<string>("SELECT display_name FROM user_profiles WHERE user_id = @id", ("id", id))
            );
        }

        Task<string?> PictureAsync(Guid id) =>
            fx.ScalarAsync<string>("SELECT profile_image_url FROM user_profiles WHERE user_id = @id", ("id", id));
    }

    [Fact]
    public async Task A_thread_is_open_to_its_group_and_moderated_by_its_owner_and_moderators()
    {
        var groupId = Guid.NewGuid();
        var (ownerId, owner) = await fx.RegisteredAsync();
        var (modId, mod) = await fx.RegisteredAsync();
        var (memberId, member) = await fx.RegisteredAsync();
        var (_, outsider) = await fx.RegisteredAsync();
        var created = new GroupCreated(Guid.NewGuid(), fx.Tick(), groupId, ownerId, "Hikers", "public");
        await fx.DeliverAsync(created);
        await fx.DeliverAsync(new GroupMemberJoined(Guid.NewGuid(), fx.Tick(), groupId, modId));
        await fx.DeliverAsync(new GroupMemberJoined(Guid.NewGuid(), fx.Tick(), groupId, memberId));
        await fx.DeliverAsync(new GroupMemberRoleChanged(Guid.NewGuid(), fx.Tick(), groupId, modId, "moderator"));
        await fx.PublishAsync(created);
        // The owner's own join, announced by social at the group's creation and handled after it, keeps the owner's
        // role.
        await fx.DeliverAsync(new GroupMemberJoined(Guid.NewGuid(), created.OccurredAt, groupId, ownerId));
        Assert.Equal(
            "owner",
            await fx.ScalarAsync<string>(
                "SELECT role FROM group_members WHERE group_id = @g AND user_id = @u",
                ("g", groupId),
                ("u", ownerId)
            )
        );

        // Threads are made by the threads feature; here one is written directly to use the thread path.
        var thread = await fx.ThreadRowAsync(groupId, memberId);
        // A group member opens the thread before ever writing in it.
        Assert.Equal(
            "thread",
            (await (await fx.Client.Get($"/api/v1/conversations/{thread}", owner)).AssertStatus(200))[
                "kind"
            ]!.GetValue<string>()
        );
        var first = await fx.SendAsync(member, thread.ToString(), "Trail on Saturday?");
        var second = await fx.SendAsync(owner, thread.ToString(), "Yes");
        await (await fx.Client.Get($"/api/v1/conversations/{thread}", outsider)).AssertProblem(404);
        await (
            await fx.Client.PostJson(
                $"/api/v1/conversations/{thread}/messages",
                new { text = "x", client_txn_id = "o" },
                outsider
            )
        ).AssertProblem(404);
        // A member may not delete the owner's message; the moderator may delete anyone's.
        await (
            await fx.Client.SendJson(
                HttpMethod.Delete,
                $"/api/v1/conversations/{thread}/messages/{second["id"]}",
                null,
                member
            )
        ).AssertProblem(403);
        await (
            await fx.Client.SendJson(
                HttpMethod.Delete,
                $"/api/v1/conversations/{thread}/messages/{first["id"]}",
                null,
                mod
            )
        ).AssertStatus(204);
        // A member reads and mutes a thread like any conversation.
        await (await fx.Client.PostJson($"/api/v1/conversations/{thread}/read", new { seq = 2 }, mod)).AssertStatus(
            200
        );
        Assert.Equal(
            0,
            (await (await fx.Client.Get($"/api/v1/conversations/{thread}", mod)).AssertStatus(200))[
                "unread_count"
            ]!.GetValue<long>()
        );
        Assert.Equal(
            1,
            (await (await fx.Client.Get("/api/v1/messages/unread-count", member)).AssertStatus(200))["by_kind"]![
                "thread"
            ]!.GetValue<long>()
        );

        // Demoted, the moderator moderates no more; gone from the group, they see nothing.
        await fx.DeliverAsync(new GroupMemberRoleChanged(Guid.NewGuid(), fx.Tick(), groupId, modId, "member"));
        await (
            await fx.Client.SendJson(
                HttpMethod.Delete,
                $"/api/v1/conversations/{thread}/messages/{second["id"]}",
                null,
                mod
            )
        ).AssertProblem(403);
        await fx.DeliverAsync(new GroupMemberLeft(Guid.NewGuid(), fx.Tick(), groupId, modId));
        await (await fx.Client.Get($"/api/v1/conversations/{thread}", mod)).AssertProblem(404);
        Assert.Empty((await (await fx.Client.Get("/api/v1/conversations", mod)).AssertStatus(200))["items"]!.AsArray());

        var beforeDeletion = fx.Tick();
        await fx.DeliverAsync(new GroupDeleted(Guid.NewGuid(), fx.Tick(), groupId));
        await (await fx.Client.Get($"/api/v1/conversations/{thread}", member)).AssertProblem(404);
        Assert.True(await fx.ScalarAsync<bool>("SELECT closed FROM conversations WHERE id = @id", ("id", thread)));
        // A join announced late, after the deletion, opens nothing.
        await fx.DeliverAsync(new GroupMemberJoined(Guid.NewGuid(), fx.Tick(), groupId, modId));
        await (await fx.Client.Get($"/api/v1/conversations/{thread}", mod)).AssertProblem(404);
        // Nor does a join or a role dated before the deletion but handled after it: nobody is a member of a deleted
        // group again (its thread audiences read the active members).
        var (lateId, _) = await fx.RegisteredAsync();
        await fx.DeliverAsync(new GroupMemberJoined(Guid.NewGuid(), beforeDeletion, groupId, lateId));
        await fx.DeliverAsync(
            new GroupMemberRoleChanged(Guid.NewGuid(), beforeDeletion, groupId, memberId, "moderator")
        );
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM group_members WHERE group_id = @g AND active",
                ("g", groupId)
            )
        );
    }

    [Fact]
    public async Task A_moderator_who_left_and_joined_again_is_a_member_though_the_join_is_handled_first()
    {
        var groupId = Guid.NewGuid();
        var (ownerId, owner) = await fx.RegisteredAsync();
        var (modId, mod) = await fx.RegisteredAsync();
        await fx.DeliverAsync(new GroupCreated(Guid.NewGuid(), fx.Tick(), groupId, ownerId, "Hikers", "public"));
        await fx.DeliverAsync(new GroupMemberJoined(Guid.NewGuid(), fx.Tick(), groupId, modId));
        await fx.DeliverAsync(new GroupMemberRoleChanged(Guid.NewGuid(), fx.Tick(), groupId, modId, "moderator"));
        // They leave (or are removed) and join again at once; each message has its own queue, so the join can be
        // handled before the departure, which is then older than the row.
        var left = new GroupMemberLeft(Guid.NewGuid(), fx.Tick(), groupId, modId);
        await fx.DeliverAsync(new GroupMemberJoined(Guid.NewGuid(), fx.Tick(), groupId, modId));
        await fx.DeliverAsync(left);

        Assert.Equal(
            "member",
            await fx.ScalarAsync<string>(
                "SELECT role FROM group_members WHERE group_id = @g AND user_id = @u AND active",
                ("g", groupId),
                ("u", modId)
            )
        );
        var thread = await fx.ThreadRowAsync(groupId, ownerId);
        var owners = await fx.SendAsync(owner, thread.ToString(), "Trail on Saturday?");
        await fx.SendAsync(mod, thread.ToString(), "Count me in");
        // A member's rights, not a moderator's: the owner's message is not theirs to delete.
        await (
            await fx.Client.SendJson(
                HttpMethod.Delete,
                $"/api/v1/conversations/{thread}/messages/{owners["id"]}",
                null,
                mod
            )
        ).AssertProblem(403);
    }

    [Fact]
    public async Task An_event_chat_is_for_the_organizer_and_confirmed_attendees_until_the_event_is_cancelled()
    {
        var eventId = Guid.NewGuid();
        var (organizerId, organizer) = await fx.RegisteredAsync();
        var (attendeeId, attendee) = await fx.RegisteredAsync();
        var (_, stranger) = await fx.RegisteredAsync();
        // The confirmation may come before the publication.
        var confirmed = new RegistrationConfirmed(
            Guid.NewGuid(),
            fx.Tick(),
            Guid.NewGuid(),
            eventId,
            attendeeId,
            "T-1",
            null
        );
        await fx.DeliverAsync(confirmed);
        var published = new EventPublished(
            Guid.NewGuid(),
            fx.Tick(),
            eventId,
            organizerId,
            "Desert safari",
            fx.Clock.GetUtcNow().AddDays(3),
            fx.Clock.GetUtcNow().AddDays(3).AddHours(4),
            0,
            "AED"
        );
        await fx.DeliverAsync(published);
        await fx.PublishAsync(published);

        var chat = await (await fx.Client.Get($"/api/v1/conversations/by-event/{eventId}", attendee)).AssertStatus(200);
        Assert.Equal("event_chat", chat["kind"]!.GetValue<string>());
        var c = chat["id"]!.GetValue<string>();
        Assert.Equal(
            c,
            (await (await fx.Client.Get($"/api/v1/conversations/by-event/{eventId}", organizer)).AssertStatus(200))[
                "id"
            ]!.GetValue<string>()
        );
        await (await fx.Client.Get($"/api/v1/conversations/by-event/{eventId}", stranger)).AssertProblem(404);
        await (await fx.Client.Get($"/api/v1/conversations/by-event/{Guid.NewGuid()}", attendee)).AssertProblem(404);
        Assert.Equal(
            1L,
            await fx.ScalarAsync<long>("SELECT count(*) FROM conversations WHERE event_id = @e", ("e", eventId))
        );

        var message = await fx.SendAsync(attendee, c, "Where do we meet?");
        await fx.SendAsync(organizer, c, "At the gate");
        Assert.Equal(
            organizerId.ToString(),
            await fx.ScalarAsync<string>(
                "SELECT payload->'recipientUserIds'->>0 FROM outbox_messages WHERE payload->>'chatMessageId' = @id",
                ("id", message["id"]!.GetValue<string>())
            )
        );
        await (
            await fx.Client.SendJson(
                HttpMethod.Delete,
                $"/api/v1/conversations/{c}/messages/{message["id"]}",
                null,
                organizer
            )
        ).AssertStatus(204);

        // A cancelled RSVP leaves the chat; its confirmation delivered again does not bring them back.
        await fx.DeliverAsync(
            new RsvpCancelled(
                Guid.NewGuid(),
                fx.Tick(),
                confirmed.RegistrationId,
                eventId,
                attendeeId,
                "confirmed",
                0,
                null,
                null
            )
        );
        await fx.PublishAsync(confirmed);
        await (await fx.Client.Get($"/api/v1/conversations/{c}", attendee)).AssertProblem(404);
        // Registering again brings them back.
        await fx.DeliverAsync(
            new RegistrationConfirmed(Guid.NewGuid(), fx.Tick(), Guid.NewGuid(), eventId, attendeeId, "T-2", null)
        );
        await (await fx.Client.Get($"/api/v1/conversations/{c}", attendee)).AssertStatus(200);

        await fx.DeliverAsync(new EventCancelled(Guid.NewGuid(), fx.Tick(), eventId, "Weather"));
        var closed = await (await fx.Client.Get($"/api/v1/conversations/{c}", organizer)).AssertStatus(200);
        Assert.True(closed["closed"]!.GetValue<bool>());
        Assert.False(closed["can_send"]!.GetValue<bool>());
        await (
            await fx.Client.PostJson(
                $"/api/v1/conversations/{c}/messages",
                new { text = "Still on?", client_txn_id = "late" },
                attendee
            )
        ).AssertProblem(409);
        Assert.Equal(
            2,
            (await (await fx.Client.Get($"/api/v1/conversations/{c}/messages", attendee)).AssertStatus(200))["items"]!
                .AsArray()
                .Count
        );
    }

    [Fact]
    public async Task A_deleted_account_leaves_its_conversations_and_blocks_and_nothing_sent_before_brings_them_back()
    {
        var (aId, a, bId, b, c) = await fx.PairAsync();
        var (carolId, _) = await fx.RegisteredAsync();
        var (organizerId, _) = await fx.RegisteredAsync();
        await fx.SendAsync(a, c, "Before I go");
        await fx.SendAsync(b, c, "Take care");
        var eventId = await fx.EventAsync(organizerId, "Farewell picnic");
        var registered = await fx.RegisteredForAsync(eventId, aId);
        await fx.BlockAsync(aId, carolId);
        await fx.BlockAsync(organizerId, aId);
        // Messages sent before the deletion, delivered after it, are newer than what they would change.
        var sentBefore = fx.Tick();
        await fx.DeliverAsync(new UserDeleted(Guid.NewGuid(), fx.Tick(), aId));
        // Its block stays (its messages stay hidden from the one it blocked); a block made against it is its maker's,
        // and stays too.
        Task<long> BlocksAsync(string by) =>
            fx.ScalarAsync<long>($"SELECT count(*) FROM blocks WHERE blocked AND {by} = @u", ("u", aId))!;
        Assert.Equal(1L, await BlocksAsync("blocker_id"));
        Assert.Equal(1L, await BlocksAsync("blocked_id"));

        Task<long> PlacesAsync() =>
            fx.ScalarAsync<long>("SELECT count(*) FROM conversation_members WHERE user_id = @u", ("u", aId))!;
        Task<long> ConnectedAsync() =>
            fx.ScalarAsync<long>(
                "SELECT count(*) FROM connections WHERE connected AND (user_low = @u OR user_high = @u)",
                ("u", aId)
            )!;
        async Task AssertStillReadableAsync()
        {
            // The other person keeps the conversation and its history, closed for sending.
            var listed = await (await fx.Client.Get("/api/v1/conversations", b)).AssertStatus(200);
            var kept = listed["items"]!.AsArray().Single(i => i!["id"]!.GetValue<string>() == c)!;
            Assert.False(kept["can_send"]!.GetValue<bool>());
            var history = await (await fx.Client.Get($"/api/v1/conversations/{c}/messages", b)).AssertStatus(200);
            Assert.Equal(2, history["items"]!.AsArray().Count);
            await (
                await fx.Client.PostJson(
                    $"/api/v1/conversations/{c}/messages",
                    new { text = "Still there?", client_txn_id = Guid.NewGuid().ToString("N") },
                    b
                )
            ).AssertProblem(422);
        }
        Assert.Equal(0L, await PlacesAsync());
        Assert.Equal(0L, await ConnectedAsync());
        await AssertStillReadableAsync();

        // The pair accepted again, a new pair, and the registration: none connects or seats the account again.
        await fx.DeliverAsync(new ConnectionAccepted(Guid.NewGuid(), sentBefore, Guid.NewGuid(), bId, aId));
        await fx.DeliverAsync(new ConnectionAccepted(Guid.NewGuid(), sentBefore, Guid.NewGuid(), aId, carolId));
        await fx.DeliverAsync(registered with { MessageId = Guid.NewGuid(), OccurredAt = sentBefore });
        await fx.DeliverAsync(new UserBlocked(Guid.NewGuid(), sentBefore, aId, bId));
        await fx.DeliverAsync(new UserBlocked(Guid.NewGuid(), sentBefore, carolId, aId));
        // Nor does a late unblock of its own lift the block it kept.
        await fx.DeliverAsync(new UserUnblocked(Guid.NewGuid(), sentBefore, aId, carolId));
        Assert.Equal(1L, await BlocksAsync("blocker_id"));
        Assert.Equal(2L, await BlocksAsync("blocked_id"));
        Assert.Equal(0L, await PlacesAsync());
        Assert.Equal(0L, await ConnectedAsync());
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM connections WHERE @u IN (user_low, user_high) AND @c IN (user_low, user_high)",
                ("u", aId),
                ("c", carolId)
            )
        );
        await AssertStillReadableAsync();
    }

    [Fact]
    public async Task A_deleted_account_still_in_a_group_is_told_nothing_joins_nothing_again_and_keeps_no_presence()
    {
        var (ownerId, owner) = await fx.RegisteredAsync();
        var (memberId, member) = await fx.RegisteredAsync();
        var (deletedId, _) = await fx.RegisteredAsync();
        var groupId = await fx.GroupAsync(ownerId, "Night owls", memberId, deletedId);
        var thread = await fx.ThreadAsync(owner, groupId, "Stars", "Who is up?");
        await fx.ExecuteAsync(
            "INSERT INTO user_presence (user_id, last_offline_at) VALUES (@u, @t)",
            ("u", deletedId),
            ("t", fx.Clock.GetUtcNow())
        );
        // Messages sent before the deletion, delivered after it.
        var sentBefore = fx.Tick();
        // Social's GroupMemberLeft, its own answer to the deletion, comes later.
        await fx.DeliverAsync(new UserDeleted(Guid.NewGuid(), fx.Tick(), deletedId));

        Task<long> NotificationsAsync(Guid userId) =>
            fx.ScalarAsync<long>(
                "SELECT count(*) FROM notifications WHERE user_id = @u AND kind = 'message_received'",
                ("u", userId)
            )!;
        Task<long> ActiveAsync(Guid group) =>
            fx.ScalarAsync<long>(
                "SELECT count(*) FROM group_members WHERE group_id = @g AND user_id = @u AND active",
                ("g", group),
                ("u", deletedId)
            )!;
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>("SELECT count(*) FROM user_presence WHERE user_id = @u", ("u", deletedId))
        );
        var ownersBefore = await NotificationsAsync(ownerId);
        await fx.SendAsync(member, thread, "Jupiter is up");
        // The owner is told, so the deleted account is not left out for want of a notification.
        Assert.Equal(ownersBefore + 1, await NotificationsAsync(ownerId));
        Assert.Equal(0L, await NotificationsAsync(deletedId));

        // A join, a role and a group of its own, sent before the deletion: none makes the account a member again.
        var joinedId = await fx.GroupAsync(ownerId, "Early birds");
        var promotedId = await fx.GroupAsync(ownerId, "Larks");
        var ownGroupId = Guid.NewGuid();
        await fx.DeliverAsync(new GroupMemberJoined(Guid.NewGuid(), sentBefore, joinedId, deletedId));
        await fx.DeliverAsync(
            new GroupMemberRoleChanged(Guid.NewGuid(), sentBefore, promotedId, deletedId, "moderator")
        );
        await fx.DeliverAsync(new GroupCreated(Guid.NewGuid(), sentBefore, ownGroupId, deletedId, "Mine", "public"));
        foreach (var group in new[] { joinedId, promotedId, ownGroupId })
            Assert.Equal(0L, await ActiveAsync(group));
        // Its membership ended with the deletion; social's departure changes nothing more.
        Assert.Equal(0L, await ActiveAsync(groupId));
        await fx.DeliverAsync(new GroupMemberLeft(Guid.NewGuid(), fx.Tick(), groupId, deletedId));
        Assert.Equal(0L, await ActiveAsync(groupId));
    }

    /// <summary>
    /// Social stamps a deleted account's departure with the deletion's time; a role given after the deletion and
    /// before social erased the account carries a later one, and messaging may hear it before the deletion. The
    /// account is no member all the same.
    /// </summary>
    [Fact]
    public async Task A_role_given_while_the_account_was_being_erased_does_not_keep_it_a_member()
    {
        var (ownerId, _) = await fx.RegisteredAsync();
        var (deletedId, _) = await fx.RegisteredAsync();
        var groupId = await fx.GroupAsync(ownerId, "Barn owls", deletedId);
        var deletedAt = fx.Tick();

        await fx.DeliverAsync(new GroupMemberRoleChanged(Guid.NewGuid(), fx.Tick(), groupId, deletedId, "moderator"));
        await fx.DeliverAsync(new UserDeleted(Guid.NewGuid(), deletedAt, deletedId));
        await fx.DeliverAsync(new GroupMemberLeft(Guid.NewGuid(), deletedAt, groupId, deletedId));

        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM group_members WHERE group_id = @g AND user_id = @u AND active",
                ("g", groupId),
                ("u", deletedId)
            )
        );
    }
}
