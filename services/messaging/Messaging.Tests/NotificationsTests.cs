using System.Reflection;
using System.Text.RegularExpressions;
using Community.Contracts.Events;
using Community.Contracts.Identity;
using Community.Contracts.Payments;
using Community.Messaging.Notifications;
using Community.Messaging.Notifying;
using MassTransit;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;

namespace Community.Messaging.Tests;

/// <summary>What people are told, once per event, and how they read and clear it; messages only when they would not see
/// them arrive.</summary>
public sealed class NotificationsTests(MessagingFixture fx) : IClassFixture<MessagingFixture>
{
    private Task PublishAsync(IIntegrationEvent message) =>
        fx
            .Host.Services.GetRequiredService<IBus>()
            .Publish(message, message.GetType(), context => context.MessageId = message.MessageId);

    /// <summary>Publishes and waits until the notifier of its type handled it.</summary>
    private async Task NotifiedAsync(IIntegrationEvent message)
    {
        await PublishAsync(message);
        await fx.HandledAsync(message.MessageId, message.GetType().Name + "Notifier");
    }

    /// <summary>
    /// The caller's notifications; each one's data holds the members the contract names for its kind.
    /// </summary>
    private async Task<JsonArray> ItemsAsync(string token, string query = "")
    {
        var items = (await (await fx.Client.Get("/api/v1/notifications" + query, token)).AssertStatus(200))[
            "items"
        ]!.AsArray();
        foreach (var item in items)
            AssertDataAsDescribed(item!);
        return items;
    }

    /// <summary>
    /// A notification's data against <see cref="NotificationKinds.Described"/>: "kind (subject; a, b, and c for a
    /// cancellation)": every member it names is there, and no other; one named "for a cancellation" is there exactly
    /// when the kind is one (event_cancellation, not event_registration).
    /// </summary>
    private static void AssertDataAsDescribed(JsonNode item)
    {
        var kind = (string)item["kind"]!;
        var described = Regex.Match(NotificationKinds.Described, $@"\b{kind}\b[^(]*\((\w+);([^)]*)\)");
        Assert.True(described.Success, $"{kind} is not described with its subject and data");
        Assert.Equal(described.Groups[1].Value, (string)item["subject_type"]!);
        string[] words = ["and", "the", "or", "null", "otherwise", "for", "a", "s", "event", "cancellation"];
        var named = Regex
            .Matches(described.Groups[2].Value, @"\b[a-z]+(?:_[a-z]+)*\b(?!')")
            .Select(m => m.Value)
            .Except(words)
            .ToHashSet();
        var notHere = Regex
            .Matches(described.Groups[2].Value, @"\b([a-z_]+) for an? (\w+)")
            .Where(m => !kind.Contains(m.Groups[2].Value, StringComparison.Ordinal))
            .Select(m => m.Groups[1].Value);
        var expected = named.Except(notHere).ToHashSet();
        var members = item["data"]!.AsObject().Select(p => p.Key).ToHashSet();
        Assert.True(
            members.SetEquals(expected),
            $"{kind}'s data has {string.Join(", ", members.Order())}; the contract names "
                + $"{string.Join(", ", expected.Order())}"
        );
    }

    private Task<long> CountAsync(Guid userId, string kind) =>
        fx.ScalarAsync<long>(
            "SELECT count(*) FROM notifications WHERE user_id = @u AND kind = @k",
            ("u", userId),
            ("k", kind)
        )!;

    [Fact]
    public async Task Each_event_tells_the_right_person_once()
    {
        var (aliceId, alice) = await fx.RegisteredAsync();
        var (bobId, bob) = await fx.RegisteredAsync();
        var (ownerId, owner) = await fx.RegisteredAsync();
        var (modId, mod) = await fx.RegisteredAsync();
        var (memberId, member) = await fx.RegisteredAsync();
        var groupId = Guid.NewGuid();
        await fx.DeliverAsync(new GroupCreated(Guid.NewGuid(), fx.Tick(), groupId, ownerId, "Hikers", "private"));
        await fx.DeliverAsync(new GroupMemberJoined(Guid.NewGuid(), fx.Tick(), groupId, modId));
        await fx.DeliverAsync(new GroupMemberJoined(Guid.NewGuid(), fx.Tick(), groupId, memberId));
        await fx.DeliverAsync(new GroupMemberRoleChanged(Guid.NewGuid(), fx.Tick(), groupId, modId, "moderator"));

        var (connectionId, eventId, paymentId, refundPaymentId, courseId, reportId) = (
            Guid.NewGuid(),
            Guid.NewGuid(),
            Guid.NewGuid(),
            Guid.NewGuid(),
            Guid.NewGuid(),
            Guid.NewGuid()
        );
        // The same subjects each time, under new message ids.
        IIntegrationEvent[] Events() =>
            [
                new ConnectionRequested(Guid.NewGuid(), fx.Tick(), connectionId, aliceId, bobId),
                new ConnectionAccepted(Guid.NewGuid(), fx.Tick(), connectionId, aliceId, bobId),
                new GroupJoinRequested(Guid.NewGuid(), fx.Tick(), groupId, aliceId, "I hike"),
                new GroupJoinRequestDecided(Guid.NewGuid(), fx.Tick(), groupId, aliceId, true),
                new RegistrationConfirmed(Guid.NewGuid(), fx.Tick(), Guid.NewGuid(), eventId, bobId, "TCK-1", null),
                // Yen have no decimals: 5000 is ¥5,000.
                new PaymentSucceeded(Guid.NewGuid(), fx.Tick(), paymentId, bobId, "event", Guid.NewGuid(), 5000, "JPY"),
                new PaymentRefundFailed(
                    Guid.NewGuid(),
                    fx.Tick(),
                    refundPaymentId,
                    bobId,
                    Guid.NewGuid(),
                    1250,
                    "EUR",
                    "card_expired"
                ),
                new CourseEnrolled(Guid.NewGuid(), fx.Tick(), courseId, Guid.NewGuid(), bobId, 0, null, null),
                new ReportResolved(
                    Guid.NewGuid(),
                    fx.Tick(),
                    reportId,
                    bobId,
                    "user",
                    aliceId,
                    "spam",
                    "warned",
                    "moderators only",
                    ownerId
                ),
            ];
        // Each delivered, then delivered again (same message id): the replay is skipped by the notifier's inbox.
        // A decided request is read for its deciders (GroupJoinRequestSettledConsumer) before the next is asked.
        async Task DecidedAsync(IIntegrationEvent e)
        {
            if (e is GroupJoinRequestDecided)
                await fx.HandledAsync(e.MessageId, nameof(GroupJoinRequestSettledConsumer));
        }
        foreach (var e in Events())
        {
            await NotifiedAsync(e);
            await DecidedAsync(e);
            await PublishAsync(e);
        }
        // A later message on each queue is handled after the replay before it.
        foreach (var e in Events())
        {
            await NotifiedAsync(e);
            await DecidedAsync(e);
        }

        // Every kind once per delivered (fresh) message, so twice in all, never three times.
        Assert.Equal(2L, await CountAsync(bobId, "connection_requested"));
        Assert.Equal(2L, await CountAsync(aliceId, "connection_accepted"));
        Assert.Equal(2L, await CountAsync(ownerId, "group_join_requested"));
        Assert.Equal(2L, await CountAsync(modId, "group_join_requested"));
        Assert.Equal(0L, await CountAsync(memberId, "group_join_requested"));
        Assert.Equal(2L, await CountAsync(aliceId, "group_join_decided"));
        foreach (
            var kind in new[]
            {
                "registration_confirmed",
                "payment_succeeded",
                "payment_refund_failed",
                "course_enrolled",
                "report_resolved",
            }
        )
            Assert.Equal(2L, await CountAsync(bobId, kind));
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>("SELECT count(*) FROM notifications WHERE user_id = @u", ("u", memberId))
        );

        // Repeats of one kind on one subject fold into one item; the summary names the person.
        var bobs = await ItemsAsync(bob);
        Assert.Equal(6, bobs.Count);
        Assert.All(bobs, i => Assert.Equal(2, i!["count"]!.GetValue<int>()));
        var refund = bobs.Single(i => i!["kind"]!.GetValue<string>() == "payment_refund_failed")!;
        Assert.Contains("contact support", refund["summary"]!.GetValue<string>());
        Assert.Equal("12.50 EUR", refund["summary"]!.GetValue<string>().Split("refund of ")[1].Split(" could")[0]);
        var paid = bobs.Single(i => i!["kind"]!.GetValue<string>() == "payment_succeeded")!;
        Assert.Contains("payment of 5000 JPY ", paid["summary"]!.GetValue<string>());
        var request = bobs.Single(i => i!["kind"]!.GetValue<string>() == "connection_requested")!;
        Assert.Equal(aliceId, request["actor"]!["user_id"]!.GetValue<Guid>());
        Assert.StartsWith("User ", request["summary"]!.GetValue<string>());
        Assert.DoesNotContain("moderators only", bobs.ToJsonString());
        var ownerItems = await ItemsAsync(owner);
        var asked = Assert.Single(ownerItems)!;
        Assert.Equal("group_join_requested", asked["kind"]!.GetValue<string>());
        Assert.NotNull(asked["read_at"]);
        Assert.Single(await ItemsAsync(mod));
        Assert.Empty(await ItemsAsync(member));
        Assert.Equal(2, (await ItemsAsync(alice)).Count);
    }

    [Fact]
    public async Task The_person_invited_to_a_group_is_told_who_invited_them_and_never_across_a_block()
    {
        var (ownerId, _) = await fx.RegisteredAsync();
        var (guestId, guest) = await fx.RegisteredAsync();
        var groupId = Guid.NewGuid();
        await fx.DeliverAsync(new GroupCreated(Guid.NewGuid(), fx.Tick(), groupId, ownerId, "Secret", "secret"));
        await using var guestHub = await ChatClient.ConnectAsync(fx.Client.BaseAddress!, guest);

        await NotifiedAsync(new GroupInvitationSent(Guid.NewGuid(), fx.Tick(), groupId, guestId, ownerId));

        var item = Assert.Single(await ItemsAsync(guest))!;
        Assert.Equal("group_invited", item["kind"]!.GetValue<string>());
        Assert.Equal("group", item["subject_type"]!.GetValue<string>());
        Assert.Equal(groupId, item["subject_id"]!.GetValue<Guid>());
        Assert.Equal(groupId, item["data"]!["group_id"]!.GetValue<Guid>());
        Assert.Equal(ownerId, item["actor"]!["user_id"]!.GetValue<Guid>());
        Assert.EndsWith("invited you to join a group", item["summary"]!.GetValue<string>());
        var pushed = (await guestHub.WaitForAsync("notification")).Arguments[0];
        Assert.Equal("group_invited", pushed.GetProperty("kind").GetString());
        Assert.Equal(0L, await CountAsync(ownerId, "group_invited"));

        // Invited by someone they blocked (the block came after the invitation was made): not told.
        var (otherId, _) = await fx.RegisteredAsync();
        await fx.BlockAsync(guestId, otherId);
        await NotifiedAsync(new GroupInvitationSent(Guid.NewGuid(), fx.Tick(), Guid.NewGuid(), guestId, otherId));
        Assert.Equal(1L, await CountAsync(guestId, "group_invited"));
    }

    [Fact]
    public async Task A_block_applied_while_a_notification_is_prepared_stops_it_and_its_live_push()
    {
        var (ownerId, _) = await fx.RegisteredAsync();
        var (guestId, guest) = await fx.RegisteredAsync();
        var groupId = Guid.NewGuid();
        await fx.DeliverAsync(new GroupCreated(Guid.NewGuid(), fx.Tick(), groupId, ownerId, "Secret", "secret"));
        await using var guestHub = await ChatClient.ConnectAsync(fx.Client.BaseAddress!, guest);
        // The guest's block of the owner lands after the notifier read the blocks and before it writes: here, as its
        // inbox row is written in the notifier's transaction.
        await fx.ExecuteAsync(
            $$"""
            CREATE OR REPLACE FUNCTION block_meanwhile() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                INSERT INTO blocks (blocker_id, blocked_id, blocked, as_of)
                VALUES ('{{guestId}}', '{{ownerId}}', true, now());
                RETURN NEW;
            END
            $$;
            CREATE TRIGGER block_meanwhile AFTER INSERT ON inbox_messages
                FOR EACH ROW WHEN (NEW.consumer LIKE '%.GroupInvitationSentNotifier')
                EXECUTE FUNCTION block_meanwhile();
            """
        );
        try
        {
            await NotifiedAsync(new GroupInvitationSent(Guid.NewGuid(), fx.Tick(), groupId, guestId, ownerId));
        }
        finally
        {
            await fx.ExecuteAsync("DROP TRIGGER block_meanwhile ON inbox_messages; DROP FUNCTION block_meanwhile();");
        }

        Assert.Equal(0L, await CountAsync(guestId, "group_invited"));
        // Nothing pushed: the next notification the guest gets is another's.
        var (otherId, _) = await fx.RegisteredAsync();
        await NotifiedAsync(new GroupInvitationSent(Guid.NewGuid(), fx.Tick(), Guid.NewGuid(), guestId, otherId));
        var pushed = (await guestHub.WaitForAsync("notification")).Arguments[0];
        Assert.Equal(otherId, pushed.GetProperty("actor").GetProperty("user_id").GetGuid());
    }

    [Fact]
    public async Task A_request_or_invitation_settled_while_its_notification_is_prepared_asks_nobody()
    {
        var (ownerId, _) = await fx.RegisteredAsync();
        var (personId, _) = await fx.RegisteredAsync();
        var groupId = Guid.NewGuid();
        await fx.DeliverAsync(new GroupCreated(Guid.NewGuid(), fx.Tick(), groupId, ownerId, "Open", "public"));
        var (low, high) = Community.Messaging.Data.Pair.Of(ownerId, personId);
        var settledAt = fx.Tick().AddHours(1);

        // Each settlement lands after the notifier prepared and before it writes: here, as its inbox row is written in
        // the notifier's transaction (it stands for one committed then, which found no notification to mark read).
        async Task SettledMeanwhileAsync(string notifier, string settlement, IIntegrationEvent message)
        {
            await fx.ExecuteAsync(
                $$"""
                CREATE OR REPLACE FUNCTION settled_meanwhile() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    {{settlement}};
                    RETURN NEW;
                END
                $$;
                CREATE TRIGGER settled_meanwhile AFTER INSERT ON inbox_messages
                    FOR EACH ROW WHEN (NEW.consumer LIKE '%.{{notifier}}') EXECUTE FUNCTION settled_meanwhile();
                """
            );
            try
            {
                await NotifiedAsync(message);
            }
            finally
            {
                await fx.ExecuteAsync(
                    "DROP TRIGGER settled_meanwhile ON inbox_messages; DROP FUNCTION settled_meanwhile();"
                );
            }
        }

        // The connection request, accepted meanwhile.
        await SettledMeanwhileAsync(
            "ConnectionRequestedNotifier",
            $"INSERT INTO connections (user_low, user_high, connected, as_of) VALUES ('{low}', '{high}', true, "
                + $"'{settledAt:O}')",
            new ConnectionRequested(Guid.NewGuid(), fx.Tick(), Guid.NewGuid(), personId, ownerId)
        );
        Assert.Equal(0L, await CountAsync(ownerId, NotificationKinds.ConnectionRequested));
        // The request to join, decided meanwhile.
        await SettledMeanwhileAsync(
            "GroupJoinRequestedNotifier",
            $"INSERT INTO group_join_decisions (group_id, user_id, decided_at) VALUES ('{groupId}', '{personId}', "
                + $"'{settledAt:O}')",
            new GroupJoinRequested(Guid.NewGuid(), fx.Tick(), groupId, personId, "I sing")
        );
        Assert.Equal(0L, await CountAsync(ownerId, NotificationKinds.GroupJoinRequested));
        // The invitation, ended meanwhile.
        await SettledMeanwhileAsync(
            "GroupInvitationSentNotifier",
            $"INSERT INTO group_invitation_ends (group_id, user_id, ended_at) VALUES ('{groupId}', '{personId}', "
                + $"'{settledAt:O}')",
            new GroupInvitationSent(Guid.NewGuid(), fx.Tick(), groupId, personId, ownerId)
        );
        Assert.Equal(0L, await CountAsync(personId, NotificationKinds.GroupInvited));

        // Not settled: told, as ever.
        var (otherId, _) = await fx.RegisteredAsync();
        await NotifiedAsync(new ConnectionRequested(Guid.NewGuid(), fx.Tick(), Guid.NewGuid(), otherId, ownerId));
        Assert.Equal(1L, await CountAsync(ownerId, NotificationKinds.ConnectionRequested));
    }

    [Fact]
    public async Task An_invitation_is_read_once_its_guest_joins_the_group()
    {
        var (ownerId, _) = await fx.RegisteredAsync();
        var (guestId, guest) = await fx.RegisteredAsync();
        var groupId = Guid.NewGuid();
        var otherGroupId = Guid.NewGuid();
        await fx.DeliverAsync(new GroupCreated(Guid.NewGuid(), fx.Tick(), groupId, ownerId, "Secret", "secret"));
        await fx.DeliverAsync(new GroupCreated(Guid.NewGuid(), fx.Tick(), otherGroupId, ownerId, "Other", "secret"));
        await NotifiedAsync(new GroupInvitationSent(Guid.NewGuid(), fx.Tick(), groupId, guestId, ownerId));
        await NotifiedAsync(new GroupInvitationSent(Guid.NewGuid(), fx.Tick(), otherGroupId, guestId, ownerId));

        await fx.DeliverAsync(new GroupMemberJoined(Guid.NewGuid(), fx.Tick(), groupId, guestId));

        // The one used up is read; the other group's still asks.
        var items = await ItemsAsync(guest);
        Assert.Equal(2, items.Count);
        Assert.NotNull(items.Single(i => i!["subject_id"]!.GetValue<Guid>() == groupId)!["read_at"]);
        Assert.Null(items.Single(i => i!["subject_id"]!.GetValue<Guid>() == otherGroupId)!["read_at"]);

        // The join handled before the invitation's notifier, late in its queue: the member is not told of it.
        var (lateId, late) = await fx.RegisteredAsync();
        var invitedAt = fx.Tick();
        await fx.DeliverAsync(new GroupMemberJoined(Guid.NewGuid(), fx.Tick(), groupId, lateId));
        await NotifiedAsync(new GroupInvitationSent(Guid.NewGuid(), invitedAt, groupId, lateId, ownerId));
        Assert.Empty(await ItemsAsync(late));
        // Nor once they left again before it was handled: the invitation was used all the same.
        var (leftId, left) = await fx.RegisteredAsync();
        var invitedBefore = fx.Tick();
        await fx.DeliverAsync(new GroupMemberJoined(Guid.NewGuid(), fx.Tick(), groupId, leftId));
        await fx.DeliverAsync(new GroupMemberLeft(Guid.NewGuid(), fx.Tick(), groupId, leftId));
        await NotifiedAsync(new GroupInvitationSent(Guid.NewGuid(), invitedBefore, groupId, leftId, ownerId));
        Assert.Empty(await ItemsAsync(left));
    }

    [Fact]
    public async Task Invitations_that_end_without_a_join_are_read_and_one_told_after_its_end_tells_no_one()
    {
        var (ownerId, _) = await fx.RegisteredAsync();
        var (guestId, guest) = await fx.RegisteredAsync();
        var (otherGuestId, otherGuest) = await fx.RegisteredAsync();
        var groupId = Guid.NewGuid();
        var otherGroupId = Guid.NewGuid();
        await fx.DeliverAsync(new GroupCreated(Guid.NewGuid(), fx.Tick(), groupId, ownerId, "Secret", "secret"));
        await fx.DeliverAsync(new GroupCreated(Guid.NewGuid(), fx.Tick(), otherGroupId, ownerId, "Other", "secret"));
        await NotifiedAsync(new GroupInvitationSent(Guid.NewGuid(), fx.Tick(), groupId, guestId, ownerId));
        await NotifiedAsync(new GroupInvitationSent(Guid.NewGuid(), fx.Tick(), otherGroupId, guestId, ownerId));
        await NotifiedAsync(new GroupInvitationSent(Guid.NewGuid(), fx.Tick(), groupId, otherGuestId, ownerId));

        // Declined, withdrawn, or gone with their sender: the two of this group end together.
        await fx.DeliverAsync(new GroupInvitationsEnded(Guid.NewGuid(), fx.Tick(), groupId, [guestId, otherGuestId]));

        var items = await ItemsAsync(guest);
        Assert.Equal(2, items.Count);
        Assert.NotNull(items.Single(i => i!["subject_id"]!.GetValue<Guid>() == groupId)!["read_at"]);
        Assert.Null(items.Single(i => i!["subject_id"]!.GetValue<Guid>() == otherGroupId)!["read_at"]);
        Assert.NotNull(Assert.Single(await ItemsAsync(otherGuest))!["read_at"]);

        // An invitation's notifier late in its queue, behind the end handled first, tells no one; one sent again
        // after the end does.
        var (lateId, late) = await fx.RegisteredAsync();
        var sentAt = fx.Tick();
        await fx.DeliverAsync(new GroupInvitationsEnded(Guid.NewGuid(), fx.Tick(), groupId, [lateId]));
        await NotifiedAsync(new GroupInvitationSent(Guid.NewGuid(), sentAt, groupId, lateId, ownerId));
        Assert.Empty(await ItemsAsync(late));
        await NotifiedAsync(new GroupInvitationSent(Guid.NewGuid(), fx.Tick(), groupId, lateId, ownerId));
        Assert.Null(Assert.Single(await ItemsAsync(late))!["read_at"]);

        // An erased account keeps no end here, whichever of the two is handled first.
        var (erasedId, _) = await fx.RegisteredAsync();
        await fx.DeliverAsync(new UserDeleted(Guid.NewGuid(), fx.Tick(), erasedId));
        await fx.DeliverAsync(new GroupInvitationsEnded(Guid.NewGuid(), fx.Tick(), groupId, [erasedId, lateId]));
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>("SELECT count(*) FROM group_invitation_ends WHERE user_id = @u", ("u", erasedId))
        );

        // Nor is an invitation to a deleted group told.
        await fx.DeliverAsync(new GroupDeleted(Guid.NewGuid(), fx.Tick(), otherGroupId));
        await NotifiedAsync(new GroupInvitationSent(Guid.NewGuid(), fx.Tick(), otherGroupId, otherGuestId, ownerId));
        Assert.Single(await ItemsAsync(otherGuest));
    }

    [Fact]
    public async Task A_deleted_message_no_longer_tells_its_recipient_that_it_was_sent()
    {
        var (_, a, bId, b, c) = await fx.PairAsync();
        var kept = await fx.SendAsync(a, c, "hello");
        var removed = await fx.SendAsync(a, c, "something regretted");
        Assert.Equal(2, Assert.Single(await ItemsAsync(b))!["count"]!.GetValue<int>());

        await (
            await fx.Client.SendJson(HttpMethod.Delete, $"/api/v1/conversations/{c}/messages/{removed["id"]}", null, a)
        ).AssertStatus(204);

        var item = Assert.Single(await ItemsAsync(b))!;
        Assert.Equal(1, item["count"]!.GetValue<int>());
        Assert.Equal(
            kept["id"]!.GetValue<string>(),
            await fx.ScalarAsync<string>(
                "SELECT data ->> 'message_id' FROM notifications WHERE user_id = @u AND kind = 'message_received'",
                ("u", bId)
            )
        );
    }

    /// <summary>
    /// A deleted thread, or a deleted group's threads, cannot be opened nor read: their unread "sent you messages" go
    /// for every member, or the bell and the digest would keep offering them.
    /// </summary>
    [Fact]
    public async Task Deleting_a_thread_or_its_group_takes_everyones_unread_message_notifications()
    {
        var (ownerId, owner) = await fx.RegisteredAsync();
        var (memberId, member) = await fx.RegisteredAsync();
        var (otherId, other) = await fx.RegisteredAsync();
        var groupId = await fx.GroupAsync(ownerId, "Readers", memberId, otherId);
        var deleted = await fx.ThreadAsync(owner, groupId, "Spoilers", "Chapter 3!");
        var kept = await fx.ThreadAsync(owner, groupId, "Next book", "Ideas?");
        async Task<string[]> MessageSubjectsAsync(string token) =>
            [
                .. (await ItemsAsync(token))
                    .Where(i => i!["kind"]!.GetValue<string>() == "message_received")
                    .Select(i => i!["subject_id"]!.GetValue<string>())
                    .Order(StringComparer.Ordinal),
            ];
        string[] both = [.. new[] { deleted, kept }.Order(StringComparer.Ordinal)];
        Assert.Equal(both, await MessageSubjectsAsync(member));
        Assert.Equal(both, await MessageSubjectsAsync(other));

        await (await fx.Client.SendJson(HttpMethod.Delete, $"/api/v1/threads/{deleted}", null, owner)).AssertStatus(
            204
        );
        Assert.Equal([kept], await MessageSubjectsAsync(member));
        Assert.Equal([kept], await MessageSubjectsAsync(other));

        await fx.DeliverAsync(new GroupDeleted(Guid.NewGuid(), fx.Tick(), groupId));
        Assert.Empty(await MessageSubjectsAsync(member));
        Assert.Equal(0L, await CountAsync(otherId, "message_received"));
    }

    /// <summary>
    /// One decider's answer to a join request leaves nothing for the others to act on: their "asked to join" is read,
    /// and a later request is news again.
    /// </summary>
    [Fact]
    public async Task A_decided_join_request_is_read_for_every_decider()
    {
        var (ownerId, owner) = await fx.RegisteredAsync();
        var (modId, mod) = await fx.RegisteredAsync();
        var (askerId, _) = await fx.RegisteredAsync();
        var groupId = Guid.NewGuid();
        await fx.DeliverAsync(new GroupCreated(Guid.NewGuid(), fx.Tick(), groupId, ownerId, "Choir", "private"));
        await fx.DeliverAsync(new GroupMemberJoined(Guid.NewGuid(), fx.Tick(), groupId, modId));
        await fx.DeliverAsync(new GroupMemberRoleChanged(Guid.NewGuid(), fx.Tick(), groupId, modId, "moderator"));
        await NotifiedAsync(new GroupJoinRequested(Guid.NewGuid(), fx.Tick(), groupId, askerId, "I sing"));
        Assert.Single(await ItemsAsync(mod, "?unread_only=true"));

        await fx.DeliverAsync(
            new GroupJoinRequestDecided(Guid.NewGuid(), fx.Tick(), groupId, askerId, false),
            "GroupJoinRequestSettledConsumer"
        );
        Assert.Empty(await ItemsAsync(mod, "?unread_only=true"));
        Assert.Empty(await ItemsAsync(owner, "?unread_only=true"));
        // Still in the list, read.
        Assert.Single(await ItemsAsync(mod));

        await NotifiedAsync(new GroupJoinRequested(Guid.NewGuid(), fx.Tick(), groupId, askerId, "Please, I sing"));
        Assert.Single(await ItemsAsync(mod, "?unread_only=true"));
    }

    [Fact]
    public async Task A_moderator_demoted_or_gone_no_longer_has_join_requests_to_decide()
    {
        var (ownerId, owner) = await fx.RegisteredAsync();
        var (demotedId, demoted) = await fx.RegisteredAsync();
        var (goneId, gone) = await fx.RegisteredAsync();
        var (askerId, _) = await fx.RegisteredAsync();
        var groupId = Guid.NewGuid();
        await fx.DeliverAsync(new GroupCreated(Guid.NewGuid(), fx.Tick(), groupId, ownerId, "Choir", "private"));
        foreach (var modId in new[] { demotedId, goneId })
        {
            await fx.DeliverAsync(new GroupMemberJoined(Guid.NewGuid(), fx.Tick(), groupId, modId));
            await fx.DeliverAsync(new GroupMemberRoleChanged(Guid.NewGuid(), fx.Tick(), groupId, modId, "moderator"));
        }
        await NotifiedAsync(new GroupJoinRequested(Guid.NewGuid(), fx.Tick(), groupId, askerId, "Text me on 555"));
        foreach (var token in new[] { owner, demoted, gone })
            Assert.Single(await ItemsAsync(token, "?unread_only=true"));

        await fx.DeliverAsync(new GroupMemberRoleChanged(Guid.NewGuid(), fx.Tick(), groupId, demotedId, "member"));
        await fx.DeliverAsync(new GroupMemberLeft(Guid.NewGuid(), fx.Tick(), groupId, goneId));

        Assert.Empty(await ItemsAsync(demoted, "?unread_only=true"));
        Assert.Empty(await ItemsAsync(gone, "?unread_only=true"));
        // The owner still decides it.
        Assert.Single(await ItemsAsync(owner, "?unread_only=true"));

        // A group not known here yet names its deciders as they were asked; one known since to decide no more is
        // not told.
        var (laterOwnerId, laterOwner) = await fx.RegisteredAsync();
        var (laterModId, laterMod) = await fx.RegisteredAsync();
        var unknownGroup = Guid.NewGuid();
        var asked = fx.Tick();
        await fx.DeliverAsync(
            new GroupMemberRoleChanged(Guid.NewGuid(), fx.Tick(), unknownGroup, laterModId, "member")
        );
        await NotifiedAsync(
            new GroupJoinRequested(Guid.NewGuid(), asked, unknownGroup, askerId, "Text me", [laterOwnerId, laterModId])
        );
        Assert.Single(await ItemsAsync(laterOwner, "?unread_only=true"));
        Assert.Empty(await ItemsAsync(laterMod));
    }

    [Fact]
    public async Task A_deleted_group_s_join_requests_are_read_for_their_deciders()
    {
        var (ownerId, owner) = await fx.RegisteredAsync();
        var (modId, mod) = await fx.RegisteredAsync();
        var (askerId, _) = await fx.RegisteredAsync();
        var groupId = Guid.NewGuid();
        await fx.DeliverAsync(new GroupCreated(Guid.NewGuid(), fx.Tick(), groupId, ownerId, "Choir", "private"));
        await fx.DeliverAsync(new GroupMemberJoined(Guid.NewGuid(), fx.Tick(), groupId, modId));
        await fx.DeliverAsync(new GroupMemberRoleChanged(Guid.NewGuid(), fx.Tick(), groupId, modId, "moderator"));
        await NotifiedAsync(new GroupJoinRequested(Guid.NewGuid(), fx.Tick(), groupId, askerId, "I sing"));
        Assert.Single(await ItemsAsync(mod, "?unread_only=true"));

        await fx.DeliverAsync(new GroupDeleted(Guid.NewGuid(), fx.Tick(), groupId));

        Assert.Empty(await ItemsAsync(mod, "?unread_only=true"));
        Assert.Empty(await ItemsAsync(owner, "?unread_only=true"));
    }

    /// <summary>
    /// A request withdrawn (its asker left it) or made moot (they joined by an invitation) is no longer the deciders'
    /// to act on: read for them, as a decided one; its asker is told nothing.
    /// </summary>
    [Fact]
    public async Task A_join_request_that_ended_undecided_is_read_for_its_deciders()
    {
        var (ownerId, owner) = await fx.RegisteredAsync();
        var (askerId, asker) = await fx.RegisteredAsync();
        var groupId = Guid.NewGuid();
        await fx.DeliverAsync(new GroupCreated(Guid.NewGuid(), fx.Tick(), groupId, ownerId, "Choir", "private"));
        await NotifiedAsync(new GroupJoinRequested(Guid.NewGuid(), fx.Tick(), groupId, askerId, "I sing"));
        Assert.Single(await ItemsAsync(owner, "?unread_only=true"));

        await fx.DeliverAsync(new GroupJoinRequestEnded(Guid.NewGuid(), fx.Tick(), groupId, askerId));
        Assert.Empty(await ItemsAsync(owner, "?unread_only=true"));
        Assert.Single(await ItemsAsync(owner));
        Assert.Empty(await ItemsAsync(asker));
    }

    /// <summary>
    /// A request whose decision is handled first (its notifier's copy late in its queue) tells no decider: nothing
    /// would ever mark it read. A request asked again after the decision is news.
    /// </summary>
    [Fact]
    public async Task A_join_request_told_after_its_decision_tells_nobody()
    {
        var (ownerId, owner) = await fx.RegisteredAsync();
        var (askerId, _) = await fx.RegisteredAsync();
        var groupId = Guid.NewGuid();
        await fx.DeliverAsync(new GroupCreated(Guid.NewGuid(), fx.Tick(), groupId, ownerId, "Choir", "private"));
        var asked = fx.Tick();
        await fx.DeliverAsync(
            new GroupJoinRequestDecided(Guid.NewGuid(), fx.Tick(), groupId, askerId, false),
            "GroupJoinRequestSettledConsumer"
        );
        await fx.DeliverAsync(
            new GroupJoinRequested(Guid.NewGuid(), asked, groupId, askerId, "I sing"),
            "GroupJoinRequestedNotifier"
        );
        Assert.Empty(await ItemsAsync(owner));

        await NotifiedAsync(new GroupJoinRequested(Guid.NewGuid(), fx.Tick(), groupId, askerId, "Please, I sing"));
        Assert.Single(await ItemsAsync(owner, "?unread_only=true"));
    }

    /// <summary>
    /// Each message has its own queue: a join request or a registration can be handled before this service heard of
    /// its group or event. The request names who decides and the registration the organizer, so they are still told.
    /// </summary>
    [Fact]
    public async Task A_request_or_a_registration_handled_before_its_group_or_event_is_known_here_still_tells_them()
    {
        var (ownerId, owner) = await fx.RegisteredAsync();
        var (modId, mod) = await fx.RegisteredAsync();
        var (askerId, _) = await fx.RegisteredAsync();
        var groupId = Guid.NewGuid();
        await NotifiedAsync(
            new GroupJoinRequested(Guid.NewGuid(), fx.Tick(), groupId, askerId, "I sing", [ownerId, modId])
        );
        Assert.Single(await ItemsAsync(owner, "?unread_only=true"));
        Assert.Single(await ItemsAsync(mod, "?unread_only=true"));

        var (organizerId, _) = await fx.RegisteredAsync();
        await NotifiedAsync(
            new RegistrationConfirmed(
                Guid.NewGuid(),
                fx.Tick(),
                Guid.NewGuid(),
                Guid.NewGuid(),
                askerId,
                "T-9",
                null,
                organizerId
            )
        );
        Assert.Equal(1L, await CountAsync(organizerId, "event_registration"));
        Assert.Equal(1L, await CountAsync(askerId, "registration_confirmed"));
    }

    [Fact]
    public async Task Leaving_a_group_or_an_event_chat_takes_its_unread_message_notifications()
    {
        var (ownerId, owner) = await fx.RegisteredAsync();
        var (memberId, member) = await fx.RegisteredAsync();
        var groupId = await fx.GroupAsync(ownerId, "Walkers", memberId);
        await fx.ThreadAsync(owner, groupId, "Sunday", "Who comes?");
        var eventId = await fx.EventAsync(ownerId, "Night walk");
        var registered = await fx.RegisteredForAsync(eventId, memberId);
        var chat = (await (await fx.Client.Get($"/api/v1/conversations/by-event/{eventId}", member)).AssertStatus(200))[
            "id"
        ]!.GetValue<string>();
        await fx.SendAsync(owner, chat, "Torches, everyone");
        async Task<string[]> MessageSubjectsAsync() =>
            [
                .. (await ItemsAsync(member))
                    .Where(i => i!["kind"]!.GetValue<string>() == "message_received")
                    .Select(i => i!["subject_id"]!.GetValue<string>()),
            ];
        Assert.Equal(2, (await MessageSubjectsAsync()).Length);

        await fx.DeliverAsync(new GroupMemberLeft(Guid.NewGuid(), fx.Tick(), groupId, memberId));
        Assert.Equal([chat], await MessageSubjectsAsync());

        await fx.DeliverAsync(
            new RsvpCancelled(
                Guid.NewGuid(),
                fx.Tick(),
                registered.RegistrationId,
                eventId,
                memberId,
                "confirmed",
                0,
                null,
                null
            )
        );
        Assert.Empty(await MessageSubjectsAsync());
        Assert.Equal(0L, await CountAsync(memberId, "message_received"));
    }

    [Fact]
    public async Task A_message_notifies_a_recipient_who_is_not_looking_and_folds_repeats()
    {
        var (aId, a, bId, b, c) = await fx.PairAsync();
        var conversationId = Guid.Parse(c);
        await fx.SendAsync(a, c, "one");
        await fx.SendAsync(a, c, "two");
        await fx.SendAsync(a, c, "three");
        // The sender is never told of their own messages.
        Assert.Equal(0L, await CountAsync(aId, "message_received"));
        var item = Assert.Single(await ItemsAsync(b))!;
        Assert.Equal("message_received", item["kind"]!.GetValue<string>());
        Assert.Equal(conversationId, item["subject_id"]!.GetValue<Guid>());
        Assert.Equal(3, item["count"]!.GetValue<int>());
        Assert.Equal(3, item["ids"]!.AsArray().Count);
        Assert.Equal(1, item["actor_count"]!.GetValue<int>());
        Assert.EndsWith("sent you 3 messages", item["summary"]!.GetValue<string>());

        // Online and looking at the conversation (a hub connection that joined it): nothing; online elsewhere: told.
        var presence = fx.Host.Services.GetRequiredService<HubPresence>();
        await presence.ConnectedAsync("b-1", bId);
        await presence.JoinedAsync("b-1", bId, conversationId);
        await fx.SendAsync(a, c, "while looking");
        Assert.Equal(3L, await CountAsync(bId, "message_received"));
        await presence.LeftAsync("b-1", bId, conversationId);
        await fx.SendAsync(a, c, "looking elsewhere", txn: "elsewhere");
        Assert.Equal(4L, await CountAsync(bId, "message_received"));
        // A retry of that send (its client_txn_id again) answers the first message and tells nobody again.
        await fx.SendAsync(a, c, "looking elsewhere", txn: "elsewhere", status: 200);
        Assert.Equal(4L, await CountAsync(bId, "message_received"));
        await presence.DisconnectedAsync("b-1", bId, CancellationToken.None);

        // Muted: nothing.
        await (await fx.Client.SendJson(HttpMethod.Put, $"/api/v1/conversations/{c}/mute", null, b)).AssertStatus(204);
        await fx.SendAsync(a, c, "muted");
        Assert.Equal(4L, await CountAsync(bId, "message_received"));
    }

    [Fact]
    public async Task A_thread_message_folds_its_senders_and_never_crosses_a_block()
    {
        var groupId = Guid.NewGuid();
        var (ownerId, owner) = await fx.RegisteredAsync();
        var (xId, x) = await fx.RegisteredAsync();
        var (yId, y) = await fx.RegisteredAsync();
        var (readerId, reader) = await fx.RegisteredAsync();
        await fx.DeliverAsync(new GroupCreated(Guid.NewGuid(), fx.Tick(), groupId, ownerId, "Readers", "public"));
        foreach (var id in new[] { xId, yId, readerId })
            await fx.DeliverAsync(new GroupMemberJoined(Guid.NewGuid(), fx.Tick(), groupId, id));
        var thread = await fx.ThreadRowAsync(groupId, ownerId);
        // The reader blocked y: y's messages never reach them as notifications; the owner still hears of them.
        await fx.BlockAsync(readerId, yId);
        await fx.SendAsync(owner, thread.ToString(), "welcome");
        await fx.SendAsync(x, thread.ToString(), "hi");
        await fx.SendAsync(y, thread.ToString(), "hello");
        var readers = Assert.Single(await ItemsAsync(reader))!;
        Assert.Equal(2, readers["count"]!.GetValue<int>());
        Assert.Equal(2, readers["actor_count"]!.GetValue<int>());
        Assert.Equal(xId, readers["actor"]!["user_id"]!.GetValue<Guid>());
        Assert.Matches("^User .+ and 1 other sent you 2 messages$", readers["summary"]!.GetValue<string>());
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM notifications WHERE user_id = @u AND actor_id = @y",
                ("u", readerId),
                ("y", yId)
            )
        );
        Assert.Equal(2, Assert.Single(await ItemsAsync(owner))!["count"]!.GetValue<int>());
        // A block the other way round (the sender blocked the recipient) stops it too.
        await fx.BlockAsync(xId, ownerId);
        await fx.SendAsync(x, thread.ToString(), "again");
        Assert.Equal(2L, await CountAsync(ownerId, "message_received"));
    }

    [Fact]
    public async Task A_thread_hidden_by_a_block_with_its_author_tells_nothing_said_in_it()
    {
        var groupId = Guid.NewGuid();
        var (authorId, _) = await fx.RegisteredAsync();
        var (xId, x) = await fx.RegisteredAsync();
        var (blockedId, blocked) = await fx.RegisteredAsync();
        var (otherId, other) = await fx.RegisteredAsync();
        await fx.DeliverAsync(new GroupCreated(Guid.NewGuid(), fx.Tick(), groupId, authorId, "Readers", "public"));
        foreach (var id in new[] { xId, blockedId, otherId })
            await fx.DeliverAsync(new GroupMemberJoined(Guid.NewGuid(), fx.Tick(), groupId, id));
        var thread = await fx.ThreadRowAsync(groupId, authorId);
        await fx.ExecuteAsync(
            "INSERT INTO threads (id, group_id, author_id, title, created_at, updated_at) "
                + "VALUES (@id, @g, @a, 'Saturday run', now(), now())",
            ("id", thread),
            ("g", groupId),
            ("a", authorId)
        );
        // The thread's author blocked one member: the thread is not theirs to see, nor what x says in it.
        await fx.BlockAsync(authorId, blockedId);

        await fx.SendAsync(x, thread.ToString(), "hi all");

        Assert.Equal(1, Assert.Single(await ItemsAsync(other))!["count"]!.GetValue<int>());
        Assert.Empty(await ItemsAsync(blocked));
        Assert.Equal(0L, await CountAsync(blockedId, "message_received"));
        // Nor are its pushes: a new message's (the audience) or a change's, such as a deletion (the readers).
        await using var scope = fx.Host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<Community.Messaging.Data.MessagingDbContext>();
        var queries = scope.ServiceProvider.GetRequiredService<Community.Messaging.Conversations.MessageQueries>();
        var conversation = await db.Conversations.AsNoTracking().SingleAsync(c => c.Id == thread);
        Assert.Equal(
            new[] { authorId, otherId }.Order(),
            (await queries.RecipientsAsync(conversation, xId, CancellationToken.None)).Order()
        );
        Assert.Equal(
            new[] { authorId, xId, otherId }.Order(),
            (await queries.ReadersAsync(conversation, xId, CancellationToken.None)).Order()
        );

        // Told before a block with the author: hidden while it stands, as the thread is (not its actor's doing: x is
        // in no block), from the list and the count, and shown again by an unblock; the group's moderators keep theirs.
        async Task<long> UnreadAsync(string token) =>
            (await (await fx.Client.Get("/api/v1/notifications/unread-count", token)).AssertStatus(200))[
                "total"
            ]!.GetValue<long>();
        var (modId, moderator) = await fx.RegisteredAsync();
        await fx.DeliverAsync(new GroupMemberJoined(Guid.NewGuid(), fx.Tick(), groupId, modId));
        await fx.DeliverAsync(new GroupMemberRoleChanged(Guid.NewGuid(), fx.Tick(), groupId, modId, "moderator"));
        await fx.SendAsync(x, thread.ToString(), "anyone?");
        Assert.Equal(1L, await UnreadAsync(moderator));
        Assert.Single(await ItemsAsync(other));
        var otherUnread = await UnreadAsync(other);
        await fx.BlockAsync(otherId, authorId);
        await fx.BlockAsync(modId, authorId);
        Assert.Empty(await ItemsAsync(other));
        Assert.Equal(0L, await UnreadAsync(other));
        Assert.Equal(1L, await UnreadAsync(moderator));
        await fx.DeliverAsync(new UserUnblocked(Guid.NewGuid(), fx.Tick(), otherId, authorId));
        Assert.Single(await ItemsAsync(other));
        Assert.Equal(otherUnread, await UnreadAsync(other));
    }

    [Fact]
    public async Task Read_by_ids_or_all_touches_only_my_own_and_counts_follow()
    {
        var (_, a, bId, b, c) = await fx.PairAsync();
        var (_, stranger) = await fx.RegisteredAsync();
        await fx.SendAsync(a, c, "one");
        await fx.SendAsync(a, c, "two");
        await NotifiedAsync(
            new PaymentSucceeded(Guid.NewGuid(), fx.Tick(), Guid.NewGuid(), bId, "event", Guid.NewGuid(), 500, "EUR")
        );
        await NotifiedAsync(
            new CourseEnrolled(Guid.NewGuid(), fx.Tick(), Guid.NewGuid(), Guid.NewGuid(), bId, 0, null, null)
        );

        var count = await (await fx.Client.Get("/api/v1/notifications/unread-count", b)).AssertStatus(200);
        Assert.Equal(4, count["total"]!.GetValue<long>());
        Assert.Equal(2, count["by_kind"]!["message_received"]!.GetValue<long>());
        Assert.Equal(1, count["by_kind"]!["payment_succeeded"]!.GetValue<long>());
        Assert.Equal(0, count["by_kind"]!["report_resolved"]!.GetValue<long>());

        // Newest first, keyset-paged.
        var first = await (await fx.Client.Get("/api/v1/notifications?limit=2", b)).AssertStatus(200);
        Assert.Equal(
            ["course_enrolled", "payment_succeeded"],
            first["items"]!.AsArray().Select(i => i!["kind"]!.GetValue<string>())
        );
        var cursor = first["next_cursor"]!.GetValue<string>();
        var second = await (await fx.Client.Get($"/api/v1/notifications?limit=2&cursor={cursor}", b)).AssertStatus(200);
        var messages = Assert.Single(second["items"]!.AsArray())!;
        Assert.Null(second["next_cursor"]);
        var messageIds = messages["ids"]!.AsArray().Select(i => i!.GetValue<string>()).ToArray();

        // Someone else's ids change nothing.
        var theirs = await (
            await fx.Client.SendJson(HttpMethod.Patch, "/api/v1/notifications/read", new { ids = messageIds }, stranger)
        ).AssertStatus(200);
        Assert.Equal(0, theirs["updated"]!.GetValue<int>());
        Assert.Equal(
            4,
            (await (await fx.Client.Get("/api/v1/notifications/unread-count", b)).AssertStatus(200))[
                "total"
            ]!.GetValue<long>()
        );

        var mine = await (
            await fx.Client.SendJson(HttpMethod.Patch, "/api/v1/notifications/read", new { ids = messageIds }, b)
        ).AssertStatus(200);
        Assert.Equal(2, mine["updated"]!.GetValue<int>());
        var after = await (await fx.Client.Get("/api/v1/notifications/unread-count", b)).AssertStatus(200);
        Assert.Equal(2, after["total"]!.GetValue<long>());
        Assert.Equal(0, after["by_kind"]!["message_received"]!.GetValue<long>());

        // A new message starts an unread item beside the read one; unread_only shows only unread items.
        await fx.SendAsync(a, c, "three");
        var all = await ItemsAsync(b);
        Assert.Equal(4, all.Count);
        var unread = await ItemsAsync(b, "?unread_only=true");
        Assert.Equal(3, unread.Count);
        Assert.All(unread, i => Assert.Null(i!["read_at"]));
        Assert.Equal(
            1,
            unread.Single(i => i!["kind"]!.GetValue<string>() == "message_received")!["count"]!.GetValue<int>()
        );
        Assert.NotNull(
            all.Single(i => i!["kind"]!.GetValue<string>() == "message_received" && i["count"]!.GetValue<int>() == 2)![
                "read_at"
            ]
        );

        var everything = await (
            await fx.Client.SendJson(HttpMethod.Patch, "/api/v1/notifications/read", new { all = true }, b)
        ).AssertStatus(200);
        Assert.Equal(3, everything["updated"]!.GetValue<int>());
        Assert.Equal(
            0,
            (await (await fx.Client.Get("/api/v1/notifications/unread-count", b)).AssertStatus(200))[
                "total"
            ]!.GetValue<long>()
        );
        Assert.Empty(await ItemsAsync(b, "?unread_only=true"));
    }

    [Fact]
    public async Task A_notification_is_pushed_live_to_the_person_it_is_for()
    {
        var (bobId, bob) = await fx.RegisteredAsync();
        var (_, other) = await fx.RegisteredAsync();
        await using var bobHub = await ChatClient.ConnectAsync(fx.Client.BaseAddress!, bob);
        await using var otherHub = await ChatClient.ConnectAsync(fx.Client.BaseAddress!, other);
        var paymentId = Guid.NewGuid();
        await NotifiedAsync(
            new PaymentSucceeded(Guid.NewGuid(), fx.Tick(), paymentId, bobId, "event", Guid.NewGuid(), 900, "EUR")
        );
        var pushed = (await bobHub.WaitForAsync("notification")).Arguments[0];
        Assert.Equal("payment_succeeded", pushed.GetProperty("kind").GetString());
        Assert.Equal(paymentId, pushed.GetProperty("subject_id").GetGuid());
        var listed = Assert.Single(await ItemsAsync(bob))!;
        Assert.Equal(listed["id"]!.GetValue<Guid>(), pushed.GetProperty("id").GetGuid());
        await Assert.ThrowsAsync<TimeoutException>(() =>
            otherHub.WaitForAsync("notification", timeout: TimeSpan.FromSeconds(1))
        );
    }

    [Fact]
    public async Task A_message_notification_is_pushed_live_to_a_recipient_elsewhere_as_it_is_listed()
    {
        var (aId, a, _, b, c) = await fx.PairAsync();
        // Bob is online (a hub connection) but has not opened the conversation: told, live.
        await using var bobHub = await ChatClient.ConnectAsync(fx.Client.BaseAddress!, b);
        await using var aliceHub = await ChatClient.ConnectAsync(fx.Client.BaseAddress!, a);
        var picture = $"/api/v1/users/{aId}/picture";
        await fx.DeliverAsync(
            IdentityMessages.Profile(aId, fx.Tick(), "alice_" + aId.ToString("N")[..8], "Alice") with
            {
                ProfileImageUrl = picture,
            }
        );
        var sent = await fx.SendAsync(a, c, "are you there?");
        var pushed = (await bobHub.WaitForAsync("notification")).Arguments[0];
        Assert.Equal("message_received", pushed.GetProperty("kind").GetString());
        Assert.Equal(Guid.Parse(c), pushed.GetProperty("subject_id").GetGuid());
        Assert.Equal(aId, pushed.GetProperty("actor").GetProperty("user_id").GetGuid());
        // the sender's picture beside their name, pushed as listed
        Assert.Equal(picture, pushed.GetProperty("actor").GetProperty("profile_image_url").GetString());
        Assert.Equal(sent["id"]!.GetValue<Guid>(), pushed.GetProperty("data").GetProperty("message_id").GetGuid());
        var listed = Assert.Single(await ItemsAsync(b))!;
        Assert.Equal(listed["id"]!.GetValue<Guid>(), pushed.GetProperty("id").GetGuid());
        Assert.Equal(listed["summary"]!.GetValue<string>(), pushed.GetProperty("summary").GetString());
        Assert.Equal(picture, listed["actor"]!["profile_image_url"]!.GetValue<string>());
        // Once bob opens the conversation, the next message arrives there and is no notification.
        await bobHub.Connection.InvokeAsync<JsonElement>("JoinConversation", c, null);
        await fx.SendAsync(a, c, "now you see it");
        await bobHub.WaitForAsync("new_message");
        Assert.Single(await ItemsAsync(b));
        Assert.Equal(1, Assert.Single(await ItemsAsync(b))!["count"]!.GetValue<int>());
        // The sender hears of their own message nowhere.
        await Assert.ThrowsAsync<TimeoutException>(() =>
            aliceHub.WaitForAsync("notification", timeout: TimeSpan.FromSeconds(1))
        );
    }

    [Fact]
    public async Task A_new_threads_first_message_notifies_the_groups_members_once_the_thread_is_committed()
    {
        var groupId = Guid.NewGuid();
        var (ownerId, owner) = await fx.RegisteredAsync();
        var (memberId, member) = await fx.RegisteredAsync();
        await fx.DeliverAsync(new GroupCreated(Guid.NewGuid(), fx.Tick(), groupId, ownerId, "Climbers", "public"));
        await fx.DeliverAsync(new GroupMemberJoined(Guid.NewGuid(), fx.Tick(), groupId, memberId));
        await using var memberHub = await ChatClient.ConnectAsync(fx.Client.BaseAddress!, member);
        var thread = await (
            await fx.Client.PostJson(
                "/api/v1/threads",
                new
                {
                    group_id = groupId,
                    title = "Bouldering tonight",
                    text = "Who is in?",
                    tags = Array.Empty<string>(),
                },
                owner
            )
        ).AssertStatus(201);
        var threadId = thread["id"]!.GetValue<Guid>();
        var pushed = (await memberHub.WaitForAsync("notification")).Arguments[0];
        Assert.Equal("message_received", pushed.GetProperty("kind").GetString());
        Assert.Equal(threadId, pushed.GetProperty("subject_id").GetGuid());
        Assert.Equal("thread", pushed.GetProperty("data").GetProperty("conversation_kind").GetString());
        // where it opens: the thread in its group
        Assert.Equal(groupId, pushed.GetProperty("data").GetProperty("group_id").GetGuid());
        var listed = Assert.Single(await ItemsAsync(member))!;
        Assert.Equal(groupId, listed["data"]!["group_id"]!.GetValue<Guid>());
        Assert.Equal(listed["id"]!.GetValue<Guid>(), pushed.GetProperty("id").GetGuid());
        Assert.Equal(0L, await CountAsync(ownerId, "message_received"));
    }

    [Fact]
    public async Task An_organizer_hears_of_registrations_and_cancellations_live_but_not_their_own_nor_across_a_block()
    {
        var (organizerId, organizer) = await fx.RegisteredAsync();
        var (aliceId, _) = await fx.RegisteredAsync();
        var (bobId, _) = await fx.RegisteredAsync();
        var (blockedId, _) = await fx.RegisteredAsync();
        var eventId = Guid.NewGuid();
        await fx.DeliverAsync(fx.Published(eventId, organizerId));
        await fx.BlockAsync(organizerId, blockedId);
        await using var organizerHub = await ChatClient.ConnectAsync(fx.Client.BaseAddress!, organizer);

        RegistrationConfirmed Registered(Guid userId) =>
            new(Guid.NewGuid(), fx.Tick(), Guid.NewGuid(), eventId, userId, "T-" + userId.ToString("N")[..4], null);
        var alice = Registered(aliceId);
        await NotifiedAsync(alice);
        var pushed = (await organizerHub.WaitForAsync("notification")).Arguments[0];
        Assert.Equal("event_registration", pushed.GetProperty("kind").GetString());
        Assert.Equal(eventId, pushed.GetProperty("subject_id").GetGuid());
        Assert.Equal(aliceId, pushed.GetProperty("actor").GetProperty("user_id").GetGuid());
        Assert.Equal(alice.RegistrationId, pushed.GetProperty("data").GetProperty("registration_id").GetGuid());
        Assert.EndsWith("registered for your event", pushed.GetProperty("summary").GetString());
        // The attendee still gets their own confirmation.
        Assert.Equal(1L, await CountAsync(aliceId, "registration_confirmed"));

        // The organizer registering themselves, and someone they blocked: nobody tells the organizer.
        await NotifiedAsync(Registered(organizerId));
        await NotifiedAsync(Registered(blockedId));
        var bob = Registered(bobId);
        await NotifiedAsync(bob);
        Assert.Equal(2L, await CountAsync(organizerId, "event_registration"));
        var folded = (await ItemsAsync(organizer)).Single(i => i!["kind"]!.GetValue<string>() == "event_registration")!;
        Assert.Equal(2, folded["count"]!.GetValue<int>());
        Assert.Equal(bobId, folded["actor"]!["user_id"]!.GetValue<Guid>());
        Assert.EndsWith("and 1 other registered for your event", folded["summary"]!.GetValue<string>());

        RsvpCancelled Cancelled(RegistrationConfirmed r) =>
            new(Guid.NewGuid(), fx.Tick(), r.RegistrationId, eventId, r.UserId, "confirmed", 0, null, null);
        await NotifiedAsync(Cancelled(alice));
        var cancelled = (
            await organizerHub.WaitForAsync(
                "notification",
                n => n.Arguments[0].GetProperty("kind").GetString() == "event_cancellation"
            )
        ).Arguments[0];
        Assert.Equal(aliceId, cancelled.GetProperty("actor").GetProperty("user_id").GetGuid());
        Assert.Equal("confirmed", cancelled.GetProperty("data").GetProperty("previous_status").GetString());
        AssertDataAsDescribed(JsonNode.Parse(cancelled.GetRawText())!);
        await NotifiedAsync(Cancelled(Registered(organizerId)));
        await NotifiedAsync(Cancelled(Registered(blockedId)));
        // A ticket refunded in full: its holder did not cancel, so nobody says they did.
        await NotifiedAsync(Cancelled(bob) with { Refunded = true });
        Assert.Equal(1L, await CountAsync(organizerId, "event_cancellation"));
        var unread = await (await fx.Client.Get("/api/v1/notifications/unread-count", organizer)).AssertStatus(200);
        Assert.Equal(1L, unread["by_kind"]!["event_cancellation"]!.GetValue<long>());
        Assert.Equal(2L, unread["by_kind"]!["event_registration"]!.GetValue<long>());

        // An event messaging never heard published has no organizer to tell; the attendee is still confirmed.
        var unknown = new RegistrationConfirmed(
            Guid.NewGuid(),
            fx.Tick(),
            Guid.NewGuid(),
            Guid.NewGuid(),
            bobId,
            "X",
            null
        );
        await NotifiedAsync(unknown);
        Assert.Equal(2L, await CountAsync(bobId, "registration_confirmed"));
    }

    [Fact]
    public async Task Nobody_is_told_across_a_block_and_a_later_block_hides_what_was_told_until_an_unblock()
    {
        var (ownerId, owner) = await fx.RegisteredAsync();
        var (modId, _) = await fx.RegisteredAsync();
        var (askerId, _) = await fx.RegisteredAsync();
        var groupId = Guid.NewGuid();
        await fx.DeliverAsync(new GroupCreated(Guid.NewGuid(), fx.Tick(), groupId, ownerId, "Quiet", "private"));
        await fx.DeliverAsync(new GroupMemberJoined(Guid.NewGuid(), fx.Tick(), groupId, modId));
        await fx.DeliverAsync(new GroupMemberRoleChanged(Guid.NewGuid(), fx.Tick(), groupId, modId, "moderator"));
        await using var ownerHub = await ChatClient.ConnectAsync(fx.Client.BaseAddress!, owner);

        // The owner blocked the person asking to join: the moderator is told, the owner is not, live or listed.
        await fx.BlockAsync(ownerId, askerId);
        await NotifiedAsync(new GroupJoinRequested(Guid.NewGuid(), fx.Tick(), groupId, askerId, "Let me in"));
        Assert.Equal(1L, await CountAsync(modId, "group_join_requested"));
        Assert.Equal(0L, await CountAsync(ownerId, "group_join_requested"));
        // A block the other way round holds too: the person blocked never hears of the blocker's request.
        var (aliceId, _) = await fx.RegisteredAsync();
        var (bobId, _) = await fx.RegisteredAsync();
        await fx.BlockAsync(bobId, aliceId);
        await NotifiedAsync(new ConnectionRequested(Guid.NewGuid(), fx.Tick(), Guid.NewGuid(), bobId, aliceId));
        Assert.Equal(0L, await CountAsync(aliceId, "connection_requested"));
        // The owner's next notification is the first pushed to them.
        var (carolId, _) = await fx.RegisteredAsync();
        await NotifiedAsync(new ConnectionRequested(Guid.NewGuid(), fx.Tick(), Guid.NewGuid(), carolId, ownerId));
        var pushed = (await ownerHub.WaitForAsync("notification")).Arguments[0];
        Assert.Equal(carolId, pushed.GetProperty("actor").GetProperty("user_id").GetGuid());

        // Told before a block: hidden from the list, the counts and the unread list while the block stands.
        async Task<long> UnreadAsync() =>
            (await (await fx.Client.Get("/api/v1/notifications/unread-count", owner)).AssertStatus(200))[
                "total"
            ]!.GetValue<long>();
        Assert.Equal(carolId, Assert.Single(await ItemsAsync(owner))!["actor"]!["user_id"]!.GetValue<Guid>());
        Assert.Equal(1L, await UnreadAsync());
        await fx.BlockAsync(carolId, ownerId);
        Assert.Empty(await ItemsAsync(owner));
        Assert.Empty(await ItemsAsync(owner, "?unread_only=true"));
        Assert.Equal(0L, await UnreadAsync());
        Assert.Equal(1L, await CountAsync(ownerId, "connection_requested"));
        // "all read" marks what is shown only: the hidden one is neither counted nor marked
        var marked = await (
            await fx.Client.SendJson(HttpMethod.Patch, "/api/v1/notifications/read", new { all = true }, owner)
        ).AssertStatus(200);
        Assert.Equal(0, marked["updated"]!.GetValue<int>());
        await fx.DeliverAsync(new UserUnblocked(Guid.NewGuid(), fx.Tick(), carolId, ownerId));
        Assert.Equal(carolId, Assert.Single(await ItemsAsync(owner))!["actor"]!["user_id"]!.GetValue<Guid>());
        Assert.Equal(1L, await UnreadAsync());
    }

    [Fact]
    public async Task An_accepted_request_leaves_no_unread_request_behind_in_either_order()
    {
        var (aliceId, _) = await fx.RegisteredAsync();
        var (bobId, bob) = await fx.RegisteredAsync();
        async Task<long> UnreadRequestsAsync() =>
            (await (await fx.Client.Get("/api/v1/notifications/unread-count", bob)).AssertStatus(200))["by_kind"]![
                "connection_requested"
            ]!.GetValue<long>();

        // Asked, then accepted by bob on the people page: the request stays in his list, read.
        var connectionId = Guid.NewGuid();
        await NotifiedAsync(new ConnectionRequested(Guid.NewGuid(), fx.Tick(), connectionId, aliceId, bobId));
        Assert.Equal(1L, await UnreadRequestsAsync());
        await fx.DeliverAsync(new ConnectionAccepted(Guid.NewGuid(), fx.Tick(), connectionId, aliceId, bobId));
        Assert.Equal(0L, await UnreadRequestsAsync());
        Assert.Equal(1L, await CountAsync(bobId, "connection_requested"));

        // The acceptance handled before the request it accepts (delivered out of order): bob is not asked.
        await fx.DeliverAsync(new ConnectionRemoved(Guid.NewGuid(), fx.Tick(), connectionId, aliceId, bobId));
        var requestedAt = fx.Tick();
        var overtaken = Guid.NewGuid();
        await fx.DeliverAsync(new ConnectionAccepted(Guid.NewGuid(), fx.Tick(), overtaken, aliceId, bobId));
        await NotifiedAsync(new ConnectionRequested(Guid.NewGuid(), requestedAt, overtaken, aliceId, bobId));
        Assert.Equal(0L, await UnreadRequestsAsync());
        Assert.Equal(1L, await CountAsync(bobId, "connection_requested"));
    }

    [Fact]
    public async Task A_withdrawn_or_declined_request_leaves_no_unread_request_behind_in_either_order()
    {
        var (aliceId, _) = await fx.RegisteredAsync();
        var (bobId, bob) = await fx.RegisteredAsync();
        var (carolId, _) = await fx.RegisteredAsync();
        async Task<long> UnreadRequestsAsync() =>
            (await (await fx.Client.Get("/api/v1/notifications/unread-count", bob)).AssertStatus(200))["by_kind"]![
                "connection_requested"
            ]!.GetValue<long>();

        // Asked and withdrawn, again and again: nothing is left asking bob to accept what is gone.
        for (var i = 0; i < 3; i++)
        {
            var connectionId = Guid.NewGuid();
            await NotifiedAsync(new ConnectionRequested(Guid.NewGuid(), fx.Tick(), connectionId, aliceId, bobId));
            Assert.Equal(1L, await UnreadRequestsAsync());
            var withdrawn = new ConnectionRemoved(Guid.NewGuid(), fx.Tick(), connectionId, aliceId, bobId);
            await fx.DeliverAsync(withdrawn);
            Assert.Equal(0L, await UnreadRequestsAsync());
            // Delivered again: the inbox skips it, and there was nothing left to take anyway.
            await PublishAsync(withdrawn);
            await fx.ConsumedAsync(withdrawn.MessageId, "ConnectionRemovedConsumer", 2);
        }
        // Declined by bob: the same.
        var declined = Guid.NewGuid();
        await NotifiedAsync(new ConnectionRequested(Guid.NewGuid(), fx.Tick(), declined, aliceId, bobId));
        await fx.DeliverAsync(new ConnectionRemoved(Guid.NewGuid(), fx.Tick(), declined, bobId, aliceId));
        Assert.Equal(0L, await UnreadRequestsAsync());
        Assert.Equal(0L, await CountAsync(bobId, "connection_requested"));

        // The withdrawal handled before the request it withdraws (delivered out of order): nobody is told.
        var requestedAt = fx.Tick();
        var overtaken = Guid.NewGuid();
        await fx.DeliverAsync(new ConnectionRemoved(Guid.NewGuid(), fx.Tick(), overtaken, aliceId, bobId));
        await NotifiedAsync(new ConnectionRequested(Guid.NewGuid(), requestedAt, overtaken, aliceId, bobId));
        Assert.Equal(0L, await UnreadRequestsAsync());

        // A request made after all that is told, and a removal of another connection of bob's leaves it.
        await NotifiedAsync(new ConnectionRequested(Guid.NewGuid(), fx.Tick(), Guid.NewGuid(), aliceId, bobId));
        await fx.DeliverAsync(new ConnectionRemoved(Guid.NewGuid(), fx.Tick(), Guid.NewGuid(), carolId, bobId));
        Assert.Equal(1L, await UnreadRequestsAsync());
    }

    [Fact]
    public async Task A_deleted_account_keeps_no_notifications_and_its_join_requests_keep_no_words_of_it()
    {
        var (ownerId, owner) = await fx.RegisteredAsync();
        var (askerId, _) = await fx.RegisteredAsync();
        var (bobId, _) = await fx.RegisteredAsync();
        var groupId = Guid.NewGuid();
        await fx.DeliverAsync(new GroupCreated(Guid.NewGuid(), fx.Tick(), groupId, ownerId, "Readers", "private"));
        await NotifiedAsync(new GroupJoinRequested(Guid.NewGuid(), fx.Tick(), groupId, askerId, "I read a lot"));
        await NotifiedAsync(new ConnectionRequested(Guid.NewGuid(), fx.Tick(), Guid.NewGuid(), bobId, askerId));
        PaymentSucceeded Paid(DateTimeOffset at) =>
            new(Guid.NewGuid(), at, Guid.NewGuid(), askerId, "event", Guid.NewGuid(), 900, "EUR");
        await NotifiedAsync(Paid(fx.Tick()));
        Task<long> OwnAsync() =>
            fx.ScalarAsync<long>("SELECT count(*) FROM notifications WHERE user_id = @u", ("u", askerId))!;
        Assert.Equal(2L, await OwnAsync());
        // Messages sent before the deletion and delivered after it.
        var sentBefore = fx.Tick();
        await fx.DeliverAsync(new UserDeleted(Guid.NewGuid(), fx.Tick(), askerId));

        Assert.Equal(0L, await OwnAsync());
        // The owner keeps the request's notification, without the reason the deleted account wrote.
        async Task<JsonNode> RequestAsync()
        {
            var request = Assert.Single(await ItemsAsync(owner))!;
            Assert.Equal("group_join_requested", (string)request["kind"]!);
            Assert.Null(request["data"]!["reason"]);
            return request;
        }
        await RequestAsync();
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM notifications WHERE actor_id = @u AND data->>'reason' IS NOT NULL",
                ("u", askerId)
            )
        );

        // Told late, the account gets nothing and nobody hears of what it did.
        await NotifiedAsync(new GroupJoinRequested(Guid.NewGuid(), sentBefore, groupId, askerId, "Let me in"));
        await NotifiedAsync(new ConnectionAccepted(Guid.NewGuid(), sentBefore, Guid.NewGuid(), askerId, bobId));
        await NotifiedAsync(Paid(sentBefore));
        Assert.Equal(0L, await OwnAsync());
        Assert.Equal(1, (await RequestAsync())["count"]!.GetValue<int>());
    }

    // An event called off tells everyone with a ticket, and everyone the message names as waiting for one, once, with
    // the reason; not its organizer, nor someone who had cancelled their own registration before.
    [Fact]
    public async Task An_event_called_off_tells_everyone_with_a_ticket_or_waiting_for_one_once()
    {
        var (organizerId, organizer) = await fx.RegisteredAsync();
        var (aliceId, alice) = await fx.RegisteredAsync();
        var (bobId, bob) = await fx.RegisteredAsync();
        var (waitingId, waiting) = await fx.RegisteredAsync();
        var (leftId, left) = await fx.RegisteredAsync();
        var eventId = await fx.EventAsync(organizerId, "Picnic");
        await fx.RegisteredForAsync(eventId, aliceId);
        await fx.RegisteredForAsync(eventId, bobId);
        await RegisteredThenLeftAsync(eventId, leftId);

        var cancelled = new EventCancelled(Guid.NewGuid(), fx.Tick(), eventId, "The park is flooded.")
        {
            Waiting = [waitingId, aliceId],
        };
        await NotifiedAsync(cancelled);
        await PublishAsync(cancelled); // redelivered: told once

        foreach (var token in new[] { alice, bob, waiting })
        {
            var told = (await ItemsAsync(token)).Where(i => (string)i!["kind"]! == "event_cancelled").ToList();
            var item = Assert.Single(told)!;
            Assert.Equal(eventId, item["subject_id"]!.GetValue<Guid>());
            Assert.Equal("The park is flooded.", (string)item["data"]!["reason"]!);
            Assert.Equal(1, item["count"]!.GetValue<int>());
        }
        Assert.DoesNotContain(await ItemsAsync(organizer), i => (string)i!["kind"]! == "event_cancelled");
        Assert.DoesNotContain(await ItemsAsync(left), i => (string)i!["kind"]! == "event_cancelled");
    }

    // The refund of a paid ticket, which follows the cancellation, may be handled first (its own queue, a retry): its
    // holder left the chat after the event was called off, so is still told; one who left before it is not.
    [Fact]
    public async Task An_event_called_off_tells_a_ticket_holder_whose_refund_was_handled_first()
    {
        var (organizerId, _) = await fx.RegisteredAsync();
        var (paidId, paid) = await fx.RegisteredAsync();
        var (freeId, free) = await fx.RegisteredAsync();
        var (leftId, left) = await fx.RegisteredAsync();
        var eventId = await fx.EventAsync(organizerId, "Gala");
        var ticket = await fx.RegisteredForAsync(eventId, paidId);
        await fx.RegisteredForAsync(eventId, freeId);
        await RegisteredThenLeftAsync(eventId, leftId);

        var cancelled = new EventCancelled(Guid.NewGuid(), fx.Tick(), eventId, "Venue flooded");
        var refunded = new RsvpCancelled(
            Guid.NewGuid(),
            fx.Tick(),
            ticket.RegistrationId,
            eventId,
            paidId,
            "confirmed",
            2000,
            "EUR",
            Guid.NewGuid()
        )
        {
            Refunded = true,
        };
        await fx.DeliverAsync(refunded);
        await NotifiedAsync(cancelled);

        int Told(JsonArray items) => items.Count(i => (string)i!["kind"]! == "event_cancelled");
        Assert.Equal(1, Told(await ItemsAsync(free)));
        Assert.Equal(1, Told(await ItemsAsync(paid)));
        Assert.Equal(0, Told(await ItemsAsync(left)));
    }

    // Someone in a block with the organizer (either way) is told the event is off, but not the organizer's words.
    [Fact]
    public async Task An_event_called_off_tells_those_in_a_block_with_its_organizer_without_its_reason()
    {
        var (organizerId, _) = await fx.RegisteredAsync();
        var (blockedId, blocked) = await fx.RegisteredAsync();
        var (blockerId, blocker) = await fx.RegisteredAsync();
        var (otherId, other) = await fx.RegisteredAsync();
        var eventId = await fx.EventAsync(organizerId, "Picnic");
        await fx.RegisteredForAsync(eventId, blockedId);
        await fx.RegisteredForAsync(eventId, otherId);
        await fx.BlockAsync(organizerId, blockedId);
        await fx.BlockAsync(blockerId, organizerId);

        await NotifiedAsync(
            new EventCancelled(Guid.NewGuid(), fx.Tick(), eventId, "I won't host you.") { Waiting = [blockerId] }
        );

        foreach (var (token, reason) in new[] { (blocked, null), (blocker, null), (other, "I won't host you.") })
        {
            var told = (await ItemsAsync(token)).Where(i => (string)i!["kind"]! == "event_cancelled");
            var data = Assert.Single(told)!["data"]!;
            Assert.Equal(eventId, data["event_id"]!.GetValue<Guid>());
            Assert.Equal(reason, (string?)data["reason"]);
        }
    }

    // The organizer the cancellation names sets those in a block with them apart before the event's chat knows them.
    [Fact]
    public async Task An_event_called_off_before_its_publication_arrived_keeps_its_reason_from_the_organizers_blocker()
    {
        var (organizerId, _) = await fx.RegisteredAsync();
        var (blockerId, blocker) = await fx.RegisteredAsync();
        var (otherId, other) = await fx.RegisteredAsync();
        await fx.BlockAsync(blockerId, organizerId);
        var eventId = Guid.NewGuid();

        await NotifiedAsync(
            new EventCancelled(Guid.NewGuid(), fx.Tick(), eventId, "Not for you.")
            {
                Waiting = [blockerId, otherId],
                OrganizerUserId = organizerId,
            }
        );

        foreach (var (token, reason) in new[] { (blocker, null), (other, "Not for you.") })
        {
            var told = (await ItemsAsync(token)).Where(i => (string)i!["kind"]! == "event_cancelled");
            Assert.Equal(reason, (string?)Assert.Single(told)!["data"]!["reason"]);
        }
    }

    // A seat of a paid event given to the next on the waiting list is held for them to pay: they are told, with what
    // and until when. A hold asked for by its holder tells nobody.
    [Fact]
    public async Task The_next_on_a_waiting_list_is_told_a_seat_is_held_for_them()
    {
        var (organizerId, _) = await fx.RegisteredAsync();
        var (nextId, next) = await fx.RegisteredAsync();
        var (payerId, payer) = await fx.RegisteredAsync();
        var eventId = await fx.EventAsync(organizerId, "Concert");
        var expires = fx.Clock.GetUtcNow().AddMinutes(15);
        TicketHoldCreated Hold(Guid userId, bool fromWaitingList) =>
            new(
                Guid.NewGuid(),
                fx.Tick(),
                Guid.NewGuid(),
                eventId,
                userId,
                2500,
                "EUR",
                expires,
                organizerId,
                fromWaitingList
            );

        var offered = Hold(nextId, true);
        await NotifiedAsync(offered);
        await NotifiedAsync(Hold(payerId, false));

        var item = Assert.Single(await ItemsAsync(next))!;
        Assert.Equal("waiting_list_seat", (string)item["kind"]!);
        Assert.Equal(offered.RegistrationId, item["data"]!["registration_id"]!.GetValue<Guid>());
        Assert.Equal(expires, item["data"]!["expires_at"]!.GetValue<DateTimeOffset>());
        Assert.Contains("25.00", (string)item["summary"]!);
        Assert.Empty(await ItemsAsync(payer));
    }

    // An item folds any number of notifications but lists at most 100 ids: marking its id (the newest) reads the
    // earlier ones of its group too, so an item of 101 is cleared at once.
    [Fact]
    public async Task Marking_an_items_id_reads_every_notification_it_folds()
    {
        var (organizerId, organizer) = await fx.RegisteredAsync();
        var eventId = await fx.EventAsync(organizerId, "Crowded");
        for (var i = 0; i < Notifications.NotificationQueries.MaxIdsPerItem + 1; i++)
            await NotifiedAsync(
                new RegistrationConfirmed(Guid.NewGuid(), fx.Tick(), Guid.NewGuid(), eventId, Guid.NewGuid(), "T", null)
            );
        var item = Assert.Single(await ItemsAsync(organizer))!;
        Assert.Equal(Notifications.NotificationQueries.MaxIdsPerItem + 1, item["count"]!.GetValue<int>());
        Assert.Equal(Notifications.NotificationQueries.MaxIdsPerItem, item["ids"]!.AsArray().Count);

        var marked = await (
            await fx.Client.SendJson(
                HttpMethod.Patch,
                "/api/v1/notifications/read",
                new { ids = new[] { item["id"]!.GetValue<string>() } },
                organizer
            )
        ).AssertStatus(200);

        Assert.Equal(Notifications.NotificationQueries.MaxIdsPerItem + 1, marked["updated"]!.GetValue<int>());
        var unread = await (await fx.Client.Get("/api/v1/notifications/unread-count", organizer)).AssertStatus(200);
        Assert.Equal(0, unread["total"]!.GetValue<long>());
        Assert.Empty(await ItemsAsync(organizer, "?unread_only=true"));
    }

    // A notification read as owed before an account's erasure committed, and written after it, is one the erasure
    // never saw: the notifier reads the profiles again under their locks, waits for the erasure and tells nobody.
    [Fact]
    public async Task A_notification_racing_its_accounts_erasure_is_not_written()
    {
        var (payerId, _) = await fx.RegisteredAsync();
        var (askerId, _) = await fx.RegisteredAsync();
        var (bobId, _) = await fx.RegisteredAsync();
        const string Erasing = "UPDATE user_profiles SET deleted_at = now() WHERE user_id = @u";

        await fx.CommitsWhileWaitedOnAsync(
            Erasing,
            async () =>
            {
                await NotifiedAsync(
                    new PaymentSucceeded(
                        Guid.NewGuid(),
                        fx.Tick(),
                        Guid.NewGuid(),
                        payerId,
                        "event",
                        Guid.NewGuid(),
                        900,
                        "EUR"
                    )
                );
                return true;
            },
            "the notifier did not wait for the erasure of the person told",
            ("u", payerId)
        );
        await fx.CommitsWhileWaitedOnAsync(
            Erasing,
            async () =>
            {
                await NotifiedAsync(new ConnectionRequested(Guid.NewGuid(), fx.Tick(), Guid.NewGuid(), askerId, bobId));
                return true;
            },
            "the notifier did not wait for the erasure of the person it names",
            ("u", askerId)
        );

        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM notifications WHERE user_id = @u OR actor_id = @a",
                ("u", payerId),
                ("a", askerId)
            )
        );
    }

    [Fact]
    public async Task Bad_requests_are_validation_problems()
    {
        var (_, token) = await fx.RegisteredAsync();
        var id = Guid.NewGuid().ToString();
        foreach (
            var body in new object[]
            {
                new { ids = new[] { id }, all = true },
                new { },
                new { all = false },
                new { ids = Array.Empty<string>() },
                new { ids = new[] { "not-a-uuid" } },
                new { ids = Enumerable.Range(0, 101).Select(_ => Guid.NewGuid().ToString()).ToArray() },
            }
        )
            await (await fx.Client.SendJson(HttpMethod.Patch, "/api/v1/notifications/read", body, token)).AssertProblem(
                400
            );
        await (await fx.Client.Get("/api/v1/notifications?cursor=nonsense", token)).AssertProblem(400);
        await (await fx.Client.Get("/api/v1/notifications?limit=0", token)).AssertProblem(400);
        await (await fx.Client.Get("/api/v1/notifications")).AssertProblem(401);
        await (await fx.Client.Get("/api/v1/notifications/unread-count")).AssertProblem(401);

        // Each route is documented with a summary and the problems a client must handle.
        var document = await (await fx.Client.Get("/openapi/v1.json")).AssertStatus(200);
        foreach (
            var (path, method) in new[]
            {
                ("/api/v1/notifications", "get"),
                ("/api/v1/notifications/read", "patch"),
                ("/api/v1/notifications/unread-count", "get"),
            }
        )
        {
            var operation = document["paths"]![path]![method]!;
            Assert.False(
                string.IsNullOrEmpty(operation["summary"]?.GetValue<string>()),
                $"{method} {path} has no summary"
            );
            Assert.Superset(
                new HashSet<string> { "200", "400", "401" },
                operation["responses"]!.AsObject().Select(r => r.Key).ToHashSet()
            );
        }

        // Every kind a notification can have and every subject type (each constant the notifiers write with) is
        // named in the contract.
        var item = document["components"]!["schemas"]!["NotificationItem"]!["properties"]!;
        var kinds = (string)item["kind"]!["description"]!;
        var subjects = (string)item["subject_type"]!["description"]!;
        static List<string> Constants(Type holder) =>
            [
                .. holder
                    .GetFields(BindingFlags.Public | BindingFlags.Static)
                    .Where(f => f.IsLiteral && f.Name != nameof(NotificationKinds.Described))
                    .Select(f => (string)f.GetRawConstantValue()!),
            ];
        Assert.Equal(Constants(typeof(NotificationKinds)).Order(), NotificationKinds.All.Order());
        Assert.Equal(Constants(typeof(SubjectTypes)).Order(), SubjectTypes.All.Order());
        foreach (var kind in NotificationKinds.All)
            Assert.Contains(kind, kinds);
        foreach (var subject in SubjectTypes.All)
        {
            Assert.Contains(subject, subjects);
            Assert.Contains($"({subject};", kinds);
        }
    }

    /// <summary>Registered for the event, then left it (a free ticket cancelled).</summary>
    private async Task RegisteredThenLeftAsync(Guid eventId, Guid userId)
    {
        var ticket = await fx.RegisteredForAsync(eventId, userId);
        await fx.DeliverAsync(
            new RsvpCancelled(
                Guid.NewGuid(),
                fx.Tick(),
                ticket.RegistrationId,
                eventId,
                userId,
                "confirmed",
                0,
                null,
                null
            )
        );
    }
}
