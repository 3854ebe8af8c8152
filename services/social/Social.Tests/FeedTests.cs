using System.Text.Json.Nodes;
using Community.Contracts.Events;
using Community.Contracts.Messaging;
using Community.Social.Data;
using Community.Social.Feed;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Community.Social.Tests;

public sealed class FeedTests(SocialFixture fx) : IClassFixture<SocialFixture>
{
    [Fact]
    public async Task A_join_whose_member_leaves_while_it_is_recorded_leaves_no_news()
    {
        var (_, owner, _) = await fx.RegisteredAsync();
        var (memberId, member, _) = await fx.RegisteredAsync();
        var group = Guid.Parse(await GroupsFlow.CreateAsync(fx, owner));
        await (await fx.Client.PostJson($"/api/v1/groups/{group}/join", new { }, member)).AssertStatus(201);
        await Eventually.TrueAsync(async () => await JoinedNewsAsync(group, memberId) == 1, "the join never made news");
        await fx.ExecuteAsync("DELETE FROM activities WHERE group_id = @g", ("g", group));

        // The leave has deleted the membership but not committed when the join's message is recorded.
        await fx.CommitsWhileWaitedOnAsync(
            "DELETE FROM group_members WHERE group_id = @g AND user_id = @u",
            async () =>
            {
                await fx.DeliverAsync(
                    new GroupMemberJoined(Guid.NewGuid(), fx.Clock.GetUtcNow(), group, memberId),
                    "FeedGroupMemberJoinedConsumer"
                );
                return true;
            },
            "the join's news never waited for the leave",
            ("g", group),
            ("u", memberId)
        );

        Assert.Equal(0L, await JoinedNewsAsync(group, memberId));
    }

    [Fact]
    public async Task An_rsvp_recorded_while_its_event_is_made_private_stays_out_of_the_feed()
    {
        var (organizerId, _, _) = await fx.RegisteredAsync();
        var (goerId, _, _) = await fx.RegisteredAsync();
        var eventId = await PublishedAsync(organizerId, "Harbour swim");

        // The change to private is written and refreshed, not committed, when the RSVP's message is recorded.
        Task recorded;
        await using (var scope = fx.Host.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<SocialDbContext>();
            await using var change = await db.Database.BeginTransactionAsync();
            await db.Database.ExecuteSqlAsync($"UPDATE feed_events SET is_public = false WHERE event_id = {eventId}");
            await FeedActivities.RefreshEventAsync(db, eventId, CancellationToken.None);
            recorded = RsvpAsync(goerId, eventId);
            await fx.SomeoneWaitsOnALockAsync("the RSVP never waited for the event's change");
            await change.CommitAsync();
        }
        await recorded;

        Assert.False(await RsvpVisibleAsync(goerId, eventId));
    }

    [Fact]
    public async Task An_event_made_private_while_an_rsvp_is_recorded_takes_that_rsvp_out_of_the_feed()
    {
        var (organizerId, _, _) = await fx.RegisteredAsync();
        var (goerId, _, _) = await fx.RegisteredAsync();
        var eventId = await PublishedAsync(organizerId, "Harbour swim");

        // The RSVP is written (shown: the event is public so far), not committed, when the change is handled.
        var madePrivate = new EventUpdated(Guid.NewGuid(), fx.Clock.GetUtcNow(), eventId, ["visibility"])
        {
            Visibility = EventVisibility.Private,
        };
        Task handled;
        await using (var scope = fx.Host.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<SocialDbContext>();
            await using var rsvp = await db.Database.BeginTransactionAsync();
            await FeedActivities.AddAboutEventAsync(
                db,
                ActivityKinds.EventRsvp,
                goerId,
                eventId,
                fx.Clock.GetUtcNow(),
                bringForward: true,
                null,
                CancellationToken.None
            );
            handled = fx.DeliverAsync(madePrivate, "FeedEventUpdatedConsumer");
            await fx.SomeoneWaitsOnALockAsync("the change never waited for the RSVP being recorded");
            await rsvp.CommitAsync();
        }
        await handled;

        Assert.False(await RsvpVisibleAsync(goerId, eventId));
    }

    private async Task<bool> RsvpVisibleAsync(Guid goerId, Guid eventId) =>
        await fx.ScalarAsync<bool>(
            "SELECT visible FROM activities WHERE kind = 'event_rsvp' AND actor_id = @u AND subject_id = @e",
            ("u", goerId),
            ("e", eventId)
        );

    [Fact]
    public async Task A_leave_handled_after_the_member_came_back_leaves_their_join_news()
    {
        var (_, owner, _) = await fx.RegisteredAsync();
        var (memberId, member, _) = await fx.RegisteredAsync();
        var group = Guid.Parse(await GroupsFlow.CreateAsync(fx, owner));
        await Join(group.ToString(), member);
        await Eventually.TrueAsync(async () => await JoinedNewsAsync(group, memberId) == 1, "the join never made news");

        // A leave and a rejoin whose leave is handled last (the join and the leave have queues of their own): the
        // member is in the group, so their join is still news.
        await fx.DeliverAsync(
            new GroupMemberLeft(Guid.NewGuid(), fx.Clock.GetUtcNow(), group, memberId),
            "FeedGroupMemberLeftConsumer"
        );
        Assert.Equal(1, await JoinedNewsAsync(group, memberId));
    }

    [Fact]
    public async Task A_rejoin_a_refollow_and_a_reconnection_date_their_news_when_they_happened_again_in_any_order()
    {
        var (aId, a, _) = await fx.RegisteredAsync();
        var (bId, b, _) = await fx.RegisteredAsync();
        var group = Guid.Parse(await GroupsFlow.CreateAsync(fx, b));
        await Join(group.ToString(), a);
        await Follow(a, bId);
        await ConnectAsync(a, b, bId);
        var connection = (
            await fx.ScalarAsync<Guid>(
                "SELECT id FROM connections WHERE requester_id = @a AND addressee_id = @b",
                ("a", aId),
                ("b", bId)
            )
        );
        await Eventually.TrueAsync(
            async () => await NewsCountAsync(aId) == 3,
            "the join, the follow and the connection never made news"
        );

        // Each happened again an hour on (a leave and rejoin, an unfollow and follow, a removal and a new
        // connection whose undoing was handled while the first row stood); then a message older than both.
        var again = WholeSeconds(fx.Clock.GetUtcNow().AddHours(1));
        var before = again.AddHours(-3);
        foreach (var at in new[] { again, before })
        {
            await fx.DeliverAsync(
                new GroupMemberJoined(Guid.NewGuid(), at, group, aId),
                "FeedGroupMemberJoinedConsumer"
            );
            await fx.DeliverAsync(new UserFollowed(Guid.NewGuid(), at, aId, bId), "FeedUserFollowedConsumer");
            await fx.DeliverAsync(
                new ConnectionAccepted(Guid.NewGuid(), at, connection, aId, bId),
                "FeedConnectionAcceptedConsumer"
            );
        }

        foreach (var kind in new[] { "group_joined", "user_followed", "connection_accepted" })
            Assert.Equal(
                again.UtcDateTime,
                await fx.ScalarAsync<DateTime>(
                    "SELECT occurred_at FROM activities WHERE actor_id = @a AND kind = @k",
                    ("a", aId),
                    ("k", kind)
                )
            );
        Assert.Equal(3, await NewsCountAsync(aId));
    }

    private static DateTimeOffset WholeSeconds(DateTimeOffset at) =>
        at.AddTicks(-(at.UtcTicks % TimeSpan.TicksPerSecond));

    private Task<long> NewsCountAsync(Guid actorId) =>
        fx.ScalarAsync<long>(
            "SELECT count(*) FROM activities WHERE actor_id = @a "
                + "AND kind IN ('group_joined', 'user_followed', 'connection_accepted')",
            ("a", actorId)
        );

    private Task<long> JoinedNewsAsync(Guid group, Guid userId) =>
        fx.ScalarAsync<long>(
            "SELECT count(*) FROM activities WHERE group_id = @g AND actor_id = @u AND kind = 'group_joined'",
            ("g", group),
            ("u", userId)
        );

    [Fact]
    public async Task Shows_what_followed_and_connected_people_did_and_what_happened_in_my_groups_never_private_things()
    {
        var (meId, me, _) = await fx.RegisteredAsync();
        var (amiraId, amira, _) = await fx.RegisteredAsync();
        var (bobId, bob, _) = await fx.RegisteredAsync();
        var (carolId, carol, _) = await fx.RegisteredAsync();
        var (daveId, dave, _) = await fx.RegisteredAsync();
        await Follow(me, amiraId);
        await ConnectAsync(bob, me, meId);
        var myGroup = await GroupsFlow.CreateAsync(fx, me, name: "Fitness Buddies");
        var publicGroup = await GroupsFlow.CreateAsync(fx, dave, name: "Desert Hikers");
        var privateGroup = await GroupsFlow.CreateAsync(fx, dave, name: "Quiet Readers", visibility: "private");

        var open = await PublishedAsync(amiraId, "Sunrise run");
        var closed = await PublishedAsync(amiraId, "Invitees only", EventVisibility.Private);
        var strangers = await PublishedAsync(daveId, "Dave's own meetup");
        await RsvpAsync(bobId, open);
        await RsvpAsync(bobId, closed);
        await Join(publicGroup, amira);
        await Join(privateGroup, amira);
        await Join(myGroup, carol);
        await Follow(amira, daveId);
        await Follow(dave, carolId);
        // amira: 2 events, 2 joins, 1 follow; bob: 2 RSVPs and the connection; carol: 1 join.
        await ActivitiesAsync(amiraId, 5);
        await ActivitiesAsync(bobId, 3);
        await ActivitiesAsync(carolId, 1);
        await ActivitiesAsync(daveId, 2);

        var items = await ItemsAsync(me);
        var seen = items.Select(i => (Kind(i), Actor(i), SubjectId(i))).ToHashSet();
        Assert.Contains(("event_published", amiraId.ToString(), open.ToString()), seen);
        Assert.Contains(("event_rsvp", bobId.ToString(), open.ToString()), seen);
        Assert.Contains(("group_joined", amiraId.ToString(), publicGroup), seen);
        Assert.Contains(("group_joined", carolId.ToString(), myGroup), seen);
        Assert.Contains(("user_followed", amiraId.ToString(), daveId.ToString()), seen);
        Assert.Contains(("connection_accepted", bobId.ToString(), meId.ToString()), seen);
        Assert.Equal(6, items.Count);
        // Never a private event, a private group's joins to non-members, a stranger's doings or mine.
        Assert.DoesNotContain(
            items,
            i =>
                SubjectId(i) == closed.ToString()
                || SubjectId(i) == privateGroup
                || SubjectId(i) == strangers.ToString()
        );
        Assert.DoesNotContain(items, i => Actor(i) == daveId.ToString() || Actor(i) == meId.ToString());

        var published = Assert.Single(items, i => Kind(i) == "event_published");
        Assert.Equal("event", published["subject"]!["type"]!.GetValue<string>());
        Assert.Equal("Sunrise run", published["subject"]!["name"]!.GetValue<string>());
        var joined = Assert.Single(items, i => SubjectId(i) == myGroup);
        Assert.Equal("Fitness Buddies", joined["subject"]!["name"]!.GetValue<string>());
        Assert.Equal(1, joined["actor_count"]!.GetValue<int>());
        // Newest first.
        var times = items.Select(i => i["occurred_at"]!.GetValue<DateTimeOffset>()).ToList();
        Assert.Equal(times.OrderByDescending(t => t), times);
    }

    [Fact]
    public async Task Repeats_of_a_kind_on_one_subject_are_folded_into_one_item()
    {
        var (_, me, _) = await fx.RegisteredAsync();
        var (_, owner, _) = await fx.RegisteredAsync();
        var group = await GroupsFlow.CreateAsync(fx, owner, name: "Fitness Buddies");
        var joiners = new List<Guid>();
        for (var i = 0; i < 4; i++)
        {
            var (id, token, _) = await fx.RegisteredAsync();
            await Follow(me, id);
            fx.Clock.Advance(TimeSpan.FromMinutes(1));
            await Join(group, token);
            joiners.Add(id);
        }
        // Two people I follow connecting with each other are one piece of news.
        var (aId, a, _) = await fx.RegisteredAsync();
        var (bId, b, _) = await fx.RegisteredAsync();
        await Follow(me, aId);
        await Follow(me, bId);
        await ConnectAsync(a, b, bId);
        foreach (var id in joiners)
            await ActivitiesAsync(id, 1);
        await ActivitiesAsync(aId, 1);
        await ActivitiesAsync(bId, 1);

        var items = await ItemsAsync(me);
        Assert.Equal(2, items.Count);
        var joined = Assert.Single(items, i => Kind(i) == "group_joined");
        Assert.Equal(4, joined["actor_count"]!.GetValue<int>());
        // The first few, newest first: "Amira and 3 others joined Fitness Buddies".
        Assert.Equal(
            joiners.AsEnumerable().Reverse().Take(3).Select(j => j.ToString()),
            joined["actors"]!.AsArray().Select(x => x!["user_id"]!.GetValue<string>())
        );
        Assert.Equal("Fitness Buddies", joined["subject"]!["name"]!.GetValue<string>());
        var connected = Assert.Single(items, i => Kind(i) == "connection_accepted");
        Assert.Equal(1, connected["actor_count"]!.GetValue<int>());
    }

    [Fact]
    public async Task Nobody_blocked_either_way_appears_as_actor_or_subject()
    {
        var (meId, me, _) = await fx.RegisteredAsync();
        var (friendId, friend, _) = await fx.RegisteredAsync();
        var (iBlockedId, iBlocked, _) = await fx.RegisteredAsync();
        var (blockedMeId, blockedMe, _) = await fx.RegisteredAsync();
        var group = await GroupsFlow.CreateAsync(fx, me);
        await Follow(me, friendId);
        await Follow(iBlocked, friendId);
        await Join(group, iBlocked);
        await Join(group, blockedMe);
        fx.Clock.Advance(TimeSpan.FromMinutes(1));
        await Join(group, friend);
        await Follow(friend, iBlockedId);
        await Follow(friend, blockedMeId);
        await ActivitiesAsync(friendId, 3);
        await ActivitiesAsync(iBlockedId, 2);
        await ActivitiesAsync(blockedMeId, 1);
        var before = await ItemsAsync(me);
        Assert.Equal(3, before.Count);
        Assert.Equal(3, Assert.Single(before, i => Kind(i) == "group_joined")["actor_count"]!.GetValue<int>());

        await (await fx.Client.SendJson(HttpMethod.Put, $"/api/v1/blocks/{iBlockedId}", null, me)).AssertStatus(204);
        await (await fx.Client.SendJson(HttpMethod.Put, $"/api/v1/blocks/{meId}", null, blockedMe)).AssertStatus(204);

        var items = await ItemsAsync(me);
        var friendOnly = Assert.Single(items);
        Assert.Equal(
            ("group_joined", friendId.ToString(), group),
            (Kind(friendOnly), Actor(friendOnly), SubjectId(friendOnly))
        );
        Assert.Equal(1, friendOnly["actor_count"]!.GetValue<int>());
        // Nor do I appear in theirs, as actor or subject.
        await Follow(friend, meId);
        await ActivitiesAsync(friendId, 4);
        var theirs = await ItemsAsync(iBlocked);
        Assert.Contains(theirs, i => Kind(i) == "user_followed" && SubjectId(i) == blockedMeId.ToString());
        Assert.DoesNotContain(theirs, i => Actor(i) == meId.ToString() || SubjectId(i) == meId.ToString());
    }

    [Fact]
    public async Task Others_activity_about_an_event_whose_organizer_is_in_a_block_with_me_is_not_shown()
    {
        var (_, me, _) = await fx.RegisteredAsync();
        var (friendId, _, _) = await fx.RegisteredAsync();
        var (organizerId, _, _) = await fx.RegisteredAsync();
        await Follow(me, friendId);
        var published = await PublishedAsync(organizerId, "Rooftop jazz");
        await RsvpAsync(friendId, published);
        // An RSVP that came before its event's publication learns the organizer with it.
        var overtaken = Guid.NewGuid();
        await RsvpAsync(friendId, overtaken);
        await PublishedAsync(organizerId, "Harbour swim", id: overtaken);
        Assert.Equal(2, (await ItemsAsync(me)).Count(i => Kind(i) == "event_rsvp"));

        await (await fx.Client.SendJson(HttpMethod.Put, $"/api/v1/blocks/{organizerId}", null, me)).AssertStatus(204);
        Assert.DoesNotContain(await ItemsAsync(me), i => Kind(i) == "event_rsvp");
    }

    [Fact]
    public async Task The_late_end_of_an_older_connection_leaves_the_news_of_the_newer_one()
    {
        var (_, me, _) = await fx.RegisteredAsync();
        var (aId, a, _) = await fx.RegisteredAsync();
        var (bId, b, _) = await fx.RegisteredAsync();
        await Follow(me, aId);
        await ConnectAsync(a, b, bId);
        await ActivitiesAsync(aId, 1);
        var older = await ConnectionOfAsync(aId, bId);
        // The older connection ends, and its message is handled only after the two connect again.
        await fx.ExecuteAsync("DELETE FROM connections WHERE id = @id", ("id", older));
        await ConnectAsync(a, b, bId);
        await fx.DeliverAsync(
            new ConnectionRemoved(Guid.NewGuid(), fx.Clock.GetUtcNow(), older, aId, bId),
            "FeedConnectionRemovedConsumer"
        );
        // One row a side and pair (the newer acceptance adds none of its own): it stays, as they are connected.
        await ActivitiesAsync(aId, 1);
        Assert.Single(await ItemsAsync(me), i => Kind(i) == "connection_accepted");

        // Ending the newer one takes its news away too.
        var newer = await ConnectionOfAsync(aId, bId);
        await (await fx.Client.SendJson(HttpMethod.Delete, $"/api/v1/connections/{newer}", null, a)).AssertStatus(204);
        await ActivitiesAsync(aId, 0);
        Assert.DoesNotContain(await ItemsAsync(me), i => Kind(i) == "connection_accepted");
    }

    private Task<Guid> ConnectionOfAsync(Guid requesterId, Guid addresseeId) =>
        fx.ScalarAsync<Guid>(
            "SELECT id FROM connections WHERE requester_id = @a AND addressee_id = @b",
            ("a", requesterId),
            ("b", addresseeId)
        );

    [Fact]
    public async Task Others_completing_a_course_whose_organizer_is_in_a_block_with_me_is_not_shown()
    {
        var (meId, me, _) = await fx.RegisteredAsync();
        var (friendId, _, _) = await fx.RegisteredAsync();
        var (organizerId, organizer, _) = await fx.RegisteredAsync();
        await Follow(me, friendId);
        await fx.DeliverAsync(
            new CourseCompleted(
                Guid.NewGuid(),
                fx.Clock.GetUtcNow(),
                Guid.NewGuid(),
                Guid.NewGuid(),
                friendId,
                "Knife skills"
            )
            {
                OrganizerUserId = organizerId,
            },
            "FeedCourseCompletedConsumer"
        );
        Assert.Single(await ItemsAsync(me), i => Kind(i) == "course_completed");

        // The organizer blocked me: their course is hidden from me in events, so its news is too; back on unblocking.
        await (await fx.Client.SendJson(HttpMethod.Put, $"/api/v1/blocks/{meId}", null, organizer)).AssertStatus(204);
        Assert.DoesNotContain(await ItemsAsync(me), i => Kind(i) == "course_completed");
        await (await fx.Client.SendJson(HttpMethod.Delete, $"/api/v1/blocks/{meId}", null, organizer)).AssertStatus(
            204
        );
        Assert.Single(await ItemsAsync(me), i => Kind(i) == "course_completed");
    }

    [Fact]
    public async Task An_unfollow_or_a_block_takes_the_follow_s_news_away_and_a_late_message_brings_none_back()
    {
        var (_, me, _) = await fx.RegisteredAsync();
        var (amiraId, amira, _) = await fx.RegisteredAsync();
        var (bobId, bob, _) = await fx.RegisteredAsync();
        var (carolId, _, _) = await fx.RegisteredAsync();
        var (daveId, dave, _) = await fx.RegisteredAsync();
        await Follow(me, amiraId);
        await Follow(me, bobId);
        await Follow(amira, carolId);
        await Follow(bob, daveId);
        await ActivitiesAsync(amiraId, 1);
        await ActivitiesAsync(bobId, 1);
        Assert.Equal(2, (await ItemsAsync(me)).Count(i => Kind(i) == "user_followed"));

        // amira stops following carol; dave blocks bob, which ends bob's follow of him.
        await (await fx.Client.SendJson(HttpMethod.Delete, $"/api/v1/follows/{carolId}", null, amira)).AssertStatus(
            204
        );
        await PeopleFlow.BlockAsync(fx, dave, bobId);
        Assert.Empty(await ItemsAsync(me));
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM activities WHERE kind = 'user_followed' AND actor_id IN (@a, @b)",
                ("a", amiraId),
                ("b", bobId)
            )
        );

        // The follow's message handled again late (a redelivery under a new id) finds no follow and adds nothing.
        await fx.DeliverAsync(
            new UserFollowed(Guid.NewGuid(), fx.Clock.GetUtcNow(), amiraId, carolId),
            "FeedUserFollowedConsumer"
        );
        Assert.Empty(await ItemsAsync(me));
    }

    [Fact]
    public async Task A_keyset_walk_returns_every_activity_once_newest_first()
    {
        var (_, me, _) = await fx.RegisteredAsync();
        var (organizerId, _, _) = await fx.RegisteredAsync();
        // More people than a page holds rows, so the page is cut at the bound their newest rows give.
        var goers = new List<Guid>();
        for (var g = 0; g < 3; g++)
        {
            var (goerId, _, _) = await fx.RegisteredAsync();
            await Follow(me, goerId);
            goers.Add(goerId);
        }
        var start = fx.Clock.GetUtcNow();
        var expected = new List<Guid>();
        for (var i = 0; i < 13; i++)
        {
            var eventId = await PublishedAsync(organizerId, "Event " + i);
            // Pairs share a time, so the id breaks ties.
            await RsvpAsync(goers[i * 7 % 3], eventId, start.AddMinutes(i / 2));
            expected.Add(eventId);
        }

        var walked = new List<(string Id, DateTimeOffset At)>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await (
                await fx.Client.Get("/api/v1/feed?limit=2" + (cursor is null ? "" : "&cursor=" + cursor), me)
            ).AssertStatus(200);
            walked.AddRange(
                page["items"]!.AsArray().Select(i => (SubjectId(i!), i!["occurred_at"]!.GetValue<DateTimeOffset>()))
            );
            cursor = page["next_cursor"]?.GetValue<string>();
            pages++;
        } while (cursor is not null);

        Assert.Equal(7, pages);
        Assert.Equal(13, walked.Count);
        Assert.Equal(expected.Select(e => e.ToString()).Order(), walked.Select(w => w.Id).Order());
        Assert.Equal(walked.Select(w => w.At).OrderByDescending(t => t), walked.Select(w => w.At));
    }

    [Fact]
    public async Task Replayed_and_resent_events_add_nothing_twice_and_undoing_takes_the_news_away()
    {
        var (_, me, _) = await fx.RegisteredAsync();
        var (goerId, _, _) = await fx.RegisteredAsync();
        var (organizerId, _, _) = await fx.RegisteredAsync();
        await Follow(me, goerId);
        await Follow(me, organizerId);
        var published = new EventPublished(
            Guid.NewGuid(),
            fx.Clock.GetUtcNow(),
            Guid.NewGuid(),
            organizerId,
            "Beach cleanup",
            fx.Clock.GetUtcNow().AddDays(3),
            fx.Clock.GetUtcNow().AddDays(3).AddHours(2),
            0,
            ""
        )
        {
            Visibility = EventVisibility.Public,
        };
        await fx.DeliverAsync(published, "FeedEventPublishedConsumer");
        await fx.PublishAsync(published);
        await fx.DeliverAsync(published with { MessageId = Guid.NewGuid() }, "FeedEventPublishedConsumer");
        fx.Clock.Advance(TimeSpan.FromMinutes(1));
        var rsvp = new RegistrationConfirmed(
            Guid.NewGuid(),
            fx.Clock.GetUtcNow(),
            Guid.NewGuid(),
            published.EventId,
            goerId,
            "T-1",
            null
        );
        await fx.DeliverAsync(rsvp, "FeedRegistrationConfirmedConsumer");
        await fx.PublishAsync(rsvp);
        await fx.DeliverAsync(rsvp with { MessageId = Guid.NewGuid() }, "FeedRegistrationConfirmedConsumer");

        Assert.Equal(
            1L,
            await fx.ScalarAsync<long>("SELECT count(*) FROM activities WHERE actor_id = @u", ("u", goerId))
        );
        Assert.Equal(
            1L,
            await fx.ScalarAsync<long>("SELECT count(*) FROM activities WHERE actor_id = @u", ("u", organizerId))
        );
        var items = await ItemsAsync(me);
        Assert.Equal(["event_rsvp", "event_published"], items.Select(Kind));
        Assert.All(items, i => Assert.Equal(1, i["actor_count"]!.GetValue<int>()));

        // A cancelled RSVP goes; an event made private, then cancelled, takes everything about it away.
        await fx.DeliverAsync(
            new RsvpCancelled(
                Guid.NewGuid(),
                fx.Clock.GetUtcNow(),
                rsvp.RegistrationId,
                published.EventId,
                goerId,
                "confirmed",
                0,
                null,
                null
            ),
            "FeedRsvpCancelledConsumer"
        );
        Assert.Equal(["event_published"], (await ItemsAsync(me)).Select(Kind));
        await fx.DeliverAsync(
            new EventUpdated(Guid.NewGuid(), fx.Clock.GetUtcNow(), published.EventId, ["visibility"])
            {
                Visibility = EventVisibility.Private,
            },
            "FeedEventUpdatedConsumer"
        );
        Assert.Empty(await ItemsAsync(me));
        await fx.DeliverAsync(
            new EventUpdated(Guid.NewGuid(), fx.Clock.GetUtcNow(), published.EventId, ["title", "visibility"])
            {
                Title = "Beach cleanup II",
                Visibility = EventVisibility.Public,
            },
            "FeedEventUpdatedConsumer"
        );
        Assert.Equal("Beach cleanup II", Assert.Single(await ItemsAsync(me))["subject"]!["name"]!.GetValue<string>());
        await fx.DeliverAsync(
            new EventCancelled(Guid.NewGuid(), fx.Clock.GetUtcNow(), published.EventId, null),
            "FeedEventCancelledConsumer"
        );
        Assert.Empty(await ItemsAsync(me));
    }

    [Fact]
    public async Task Photos_added_to_a_public_event_and_completed_courses_are_news_once_each()
    {
        var (_, me, _) = await fx.RegisteredAsync();
        var (friendId, _, _) = await fx.RegisteredAsync();
        var (organizerId, _, _) = await fx.RegisteredAsync();
        await Follow(me, friendId);
        var published = new EventPublished(
            Guid.NewGuid(),
            fx.Clock.GetUtcNow(),
            Guid.NewGuid(),
            organizerId,
            "Sunset yoga",
            fx.Clock.GetUtcNow().AddDays(3),
            fx.Clock.GetUtcNow().AddDays(3).AddHours(2),
            0,
            ""
        )
        {
            Visibility = EventVisibility.Public,
        };
        await fx.DeliverAsync(published, "FeedEventPublishedConsumer");

        // Three photos, one of them delivered twice: one item, brought forward to the latest photo.
        var photo = new EventPhotoAdded(
            Guid.NewGuid(),
            fx.Clock.GetUtcNow(),
            Guid.NewGuid(),
            published.EventId,
            friendId
        );
        await fx.DeliverAsync(photo, "FeedEventPhotoAddedConsumer");
        await fx.DeliverAsync(photo, "FeedEventPhotoAddedConsumer");
        fx.Clock.Advance(TimeSpan.FromMinutes(5));
        var latest = fx.Clock.GetUtcNow();
        await fx.DeliverAsync(
            new EventPhotoAdded(Guid.NewGuid(), latest, Guid.NewGuid(), published.EventId, friendId),
            "FeedEventPhotoAddedConsumer"
        );
        await fx.DeliverAsync(
            new EventPhotoAdded(Guid.NewGuid(), latest.AddMinutes(-10), Guid.NewGuid(), published.EventId, friendId),
            "FeedEventPhotoAddedConsumer"
        );
        var item = Assert.Single(await ItemsAsync(me));
        Assert.Equal("photo_added", Kind(item));
        Assert.Equal("event", item["subject"]!["type"]!.GetValue<string>());
        Assert.Equal("Sunset yoga", item["subject"]!["name"]!.GetValue<string>());
        Assert.Equal(
            latest.ToUnixTimeMilliseconds(),
            item["occurred_at"]!.GetValue<DateTimeOffset>().ToUnixTimeMilliseconds()
        );

        // A photo deleted while others of theirs remain keeps the news; the last one deleted takes it away, until a
        // new upload brings it back.
        await fx.DeliverAsync(
            new EventPhotoRemoved(Guid.NewGuid(), latest.AddMinutes(1), Guid.NewGuid(), published.EventId, friendId, 1),
            "FeedEventPhotoRemovedConsumer"
        );
        Assert.Single(await ItemsAsync(me));
        var lastRemoved = new EventPhotoRemoved(
            Guid.NewGuid(),
            latest.AddMinutes(2),
            Guid.NewGuid(),
            published.EventId,
            friendId,
            0
        );
        await fx.DeliverAsync(lastRemoved, "FeedEventPhotoRemovedConsumer");
        Assert.Empty(await ItemsAsync(me));
        await fx.DeliverAsync(
            new EventPhotoAdded(Guid.NewGuid(), latest.AddMinutes(3), Guid.NewGuid(), published.EventId, friendId),
            "FeedEventPhotoAddedConsumer"
        );
        // a removal told late (another message, sent before that upload) leaves the newer news
        await fx.DeliverAsync(lastRemoved with { MessageId = Guid.NewGuid() }, "FeedEventPhotoRemovedConsumer");
        Assert.Equal("photo_added", Kind(Assert.Single(await ItemsAsync(me))));
        fx.Clock.Advance(TimeSpan.FromMinutes(5));

        fx.Clock.Advance(TimeSpan.FromMinutes(1));
        var completed = new CourseCompleted(
            Guid.NewGuid(),
            fx.Clock.GetUtcNow(),
            Guid.NewGuid(),
            Guid.NewGuid(),
            friendId,
            "Beginner Arabic"
        );
        await fx.DeliverAsync(completed, "FeedCourseCompletedConsumer");
        await fx.DeliverAsync(completed with { MessageId = Guid.NewGuid() }, "FeedCourseCompletedConsumer");
        var items = await ItemsAsync(me);
        Assert.Equal(["course_completed", "photo_added"], items.Select(Kind));
        Assert.Equal("course", items[0]["subject"]!["type"]!.GetValue<string>());
        Assert.Equal("Beginner Arabic", items[0]["subject"]!["name"]!.GetValue<string>());

        // Photos of an event that goes private are hidden with it.
        await fx.DeliverAsync(
            new EventUpdated(Guid.NewGuid(), fx.Clock.GetUtcNow(), published.EventId, ["visibility"])
            {
                Visibility = EventVisibility.Private,
            },
            "FeedEventUpdatedConsumer"
        );
        Assert.Equal(["course_completed"], (await ItemsAsync(me)).Select(Kind));
    }

    [Fact]
    public async Task Threads_started_in_my_groups_are_news_until_deleted()
    {
        var (_, me, _) = await fx.RegisteredAsync();
        var (authorId, author, _) = await fx.RegisteredAsync();
        var group = await GroupsFlow.CreateAsync(fx, me, name: "Desert Hikers");
        await Join(group, author);
        var groupId = Guid.Parse(group);

        var started = new NewThread(
            Guid.NewGuid(),
            fx.Clock.GetUtcNow(),
            Guid.NewGuid(),
            groupId,
            authorId,
            "Saturday hike"
        );
        await fx.DeliverAsync(started, "FeedNewThreadConsumer");
        await fx.DeliverAsync(started with { MessageId = Guid.NewGuid() }, "FeedNewThreadConsumer");
        var thread = Assert.Single(await ItemsAsync(me), i => Kind(i) == "thread_started");
        Assert.Equal(authorId.ToString(), Actor(thread));
        Assert.Equal("thread", thread["subject"]!["type"]!.GetValue<string>());
        Assert.Equal("Saturday hike", thread["subject"]!["name"]!.GetValue<string>());

        await fx.DeliverAsync(
            new ThreadDeleted(Guid.NewGuid(), fx.Clock.GetUtcNow(), started.ThreadId, groupId, authorId),
            "FeedThreadDeletedConsumer"
        );
        Assert.DoesNotContain(await ItemsAsync(me), i => Kind(i) == "thread_started");

        // A NewThread that arrives after its ThreadDeleted adds nothing.
        var late = new NewThread(Guid.NewGuid(), fx.Clock.GetUtcNow(), Guid.NewGuid(), groupId, authorId, "Too late");
        await fx.DeliverAsync(
            new ThreadDeleted(Guid.NewGuid(), fx.Clock.GetUtcNow(), late.ThreadId, groupId, authorId),
            "FeedThreadDeletedConsumer"
        );
        await fx.DeliverAsync(late, "FeedNewThreadConsumer");
        Assert.DoesNotContain(await ItemsAsync(me), i => Kind(i) == "thread_started");
    }

    [Fact]
    public async Task A_renamed_thread_shows_its_latest_title_whichever_message_arrives_last()
    {
        var (_, me, _) = await fx.RegisteredAsync();
        var (authorId, author, _) = await fx.RegisteredAsync();
        var group = await GroupsFlow.CreateAsync(fx, me, name: "Renamed Hikers");
        await Join(group, author);
        var groupId = Guid.Parse(group);
        async Task<string> TitleAsync(Guid threadId) =>
            Assert.Single(
                await ItemsAsync(me),
                i => Kind(i) == "thread_started" && SubjectId(i) == threadId.ToString()
            )["subject"]!["name"]!.GetValue<string>();

        var at = fx.Clock.GetUtcNow();
        var started = new NewThread(Guid.NewGuid(), at, Guid.NewGuid(), groupId, authorId, "Call Jane on 555 0100");
        await fx.DeliverAsync(started, "FeedNewThreadConsumer");
        var renamed = new ThreadRenamed(Guid.NewGuid(), at.AddMinutes(2), started.ThreadId, groupId, "Saturday hike");
        await fx.DeliverAsync(renamed, "FeedThreadRenamedConsumer");
        Assert.Equal("Saturday hike", await TitleAsync(started.ThreadId));

        // An earlier change handled late, and the start delivered again, change nothing.
        await fx.DeliverAsync(
            renamed with
            {
                MessageId = Guid.NewGuid(),
                OccurredAt = at.AddMinutes(1),
                Title = "Call Jane",
            },
            "FeedThreadRenamedConsumer"
        );
        await fx.DeliverAsync(started with { MessageId = Guid.NewGuid() }, "FeedNewThreadConsumer");
        Assert.Equal("Saturday hike", await TitleAsync(started.ThreadId));

        // A change handled before its thread's start keeps the newer title.
        var other = new NewThread(Guid.NewGuid(), at, Guid.NewGuid(), groupId, authorId, "Old words");
        await fx.DeliverAsync(
            new ThreadRenamed(Guid.NewGuid(), at.AddMinutes(1), other.ThreadId, groupId, "New words"),
            "FeedThreadRenamedConsumer"
        );
        await fx.DeliverAsync(other, "FeedNewThreadConsumer");
        Assert.Equal("New words", await TitleAsync(other.ThreadId));

        // A deleted thread is not named again.
        await fx.DeliverAsync(
            new ThreadDeleted(Guid.NewGuid(), at.AddMinutes(3), other.ThreadId, groupId, authorId),
            "FeedThreadDeletedConsumer"
        );
        await fx.DeliverAsync(
            new ThreadRenamed(Guid.NewGuid(), at.AddMinutes(4), other.ThreadId, groupId, "Back again"),
            "FeedThreadRenamedConsumer"
        );
        Assert.DoesNotContain(await ItemsAsync(me), i => SubjectId(i) == other.ThreadId.ToString());
        Assert.Null(
            await fx.ScalarAsync<string?>("SELECT title FROM feed_threads WHERE thread_id = @t", ("t", other.ThreadId))
        );
    }

    [Fact]
    public async Task A_thread_in_a_public_group_is_news_to_the_authors_followers_only_if_they_are_members()
    {
        var (_, outsider, _) = await fx.RegisteredAsync();
        var (_, member, _) = await fx.RegisteredAsync();
        var (authorId, author, _) = await fx.RegisteredAsync();
        var group = await GroupsFlow.CreateAsync(fx, author, name: "Open Hikers");
        await Join(group, member);
        await Follow(outsider, authorId);
        await Follow(member, authorId);

        var started = new NewThread(
            Guid.NewGuid(),
            fx.Clock.GetUtcNow(),
            Guid.NewGuid(),
            Guid.Parse(group),
            authorId,
            "Anyone else dealing with this?"
        );
        await fx.DeliverAsync(started, "FeedNewThreadConsumer");

        // Threads are open to the group's members (messaging answers others 404): their titles are too.
        Assert.Single(await ItemsAsync(member), i => Kind(i) == "thread_started");
        Assert.DoesNotContain(await ItemsAsync(outsider), i => Kind(i) == "thread_started");
    }

    [Fact]
    public async Task A_thread_deleted_while_its_start_is_recorded_leaves_no_news()
    {
        var (_, me, _) = await fx.RegisteredAsync();
        var (authorId, author, _) = await fx.RegisteredAsync();
        var group = await GroupsFlow.CreateAsync(fx, me, name: "Desert Hikers");
        await Join(group, author);
        var groupId = Guid.Parse(group);
        var threadId = Guid.NewGuid();
        await Eventually.TrueAsync(
            async () => await JoinedNewsAsync(groupId, authorId) == 1,
            "the join never made news"
        );

        // The start's writes (the thread's row, then its news) are made, not committed, when the deletion is handled.
        await fx.CommitsWhileWaitedOnAsync(
            """
            INSERT INTO feed_threads (thread_id, title) VALUES (@t, 'Saturday hike');
            INSERT INTO activities (id, kind, actor_id, subject_id, group_id, visible, occurred_at)
            VALUES (@id, 'thread_started', @a, @t, @g, true, @at)
            """,
            async () =>
            {
                await fx.DeliverAsync(
                    new ThreadDeleted(Guid.NewGuid(), fx.Clock.GetUtcNow(), threadId, groupId, authorId),
                    "FeedThreadDeletedConsumer"
                );
                return true;
            },
            "the thread's deletion never waited for its start being recorded",
            ("t", threadId),
            ("id", Guid.NewGuid()),
            ("a", authorId),
            ("g", groupId),
            ("at", fx.Clock.GetUtcNow())
        );

        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM activities WHERE kind = 'thread_started' AND subject_id = @t",
                ("t", threadId)
            )
        );
        Assert.DoesNotContain(await ItemsAsync(me), i => Kind(i) == "thread_started");
    }

    [Fact]
    public async Task An_rsvp_that_overtook_its_event_shows_once_the_event_is_published()
    {
        var (_, me, _) = await fx.RegisteredAsync();
        var (goerId, _, _) = await fx.RegisteredAsync();
        await Follow(me, goerId);
        var eventId = Guid.NewGuid();
        await RsvpAsync(goerId, eventId);
        Assert.Empty(await ItemsAsync(me));
        var (organizerId, _, _) = await fx.RegisteredAsync();
        await fx.DeliverAsync(
            new EventPublished(
                Guid.NewGuid(),
                fx.Clock.GetUtcNow(),
                eventId,
                organizerId,
                "Late news",
                fx.Clock.GetUtcNow().AddDays(1),
                fx.Clock.GetUtcNow().AddDays(1).AddHours(1),
                0,
                ""
            )
            {
                Visibility = EventVisibility.Public,
            },
            "FeedEventPublishedConsumer"
        );
        Assert.Equal("Late news", Assert.Single(await ItemsAsync(me))["subject"]!["name"]!.GetValue<string>());
    }

    /// <summary>
    /// An edit handled before the event's publication (a backlog, a retry) says nothing of its organizer, whose blocks
    /// hide it: until the publication is handled, nobody sees news of it nor finds it, so a person the organizer
    /// blocked cannot either.
    /// </summary>
    [Fact]
    public async Task An_event_edited_before_its_publication_is_shown_and_found_once_its_organizer_is_known()
    {
        var (_, caller, _) = await fx.RegisteredAsync();
        var (organizerId, _, _) = await fx.RegisteredAsync();
        var (goerId, _, _) = await fx.RegisteredAsync();
        var publishedAt = fx.Clock.GetUtcNow();
        var published = new EventPublished(
            Guid.NewGuid(),
            publishedAt,
            Guid.NewGuid(),
            organizerId,
            "Lantern walk",
            publishedAt.AddDays(1),
            publishedAt.AddDays(1).AddHours(1),
            0,
            ""
        )
        {
            Visibility = EventVisibility.Public,
        };
        var renamed = new EventUpdated(Guid.NewGuid(), publishedAt.AddMinutes(1), published.EventId, ["title"])
        {
            Title = "Lantern walk by the creek",
            Visibility = EventVisibility.Public,
        };
        await fx.DeliverAsync(renamed, "FeedEventUpdatedConsumer");
        await fx.HandledAsync(renamed.MessageId, "SearchEventUpdatedConsumer");
        await using (var scope = fx.Host.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<SocialDbContext>();
            await using var rsvp = await db.Database.BeginTransactionAsync();
            await FeedActivities.AddAboutEventAsync(
                db,
                ActivityKinds.EventRsvp,
                goerId,
                published.EventId,
                fx.Clock.GetUtcNow(),
                bringForward: true,
                null,
                CancellationToken.None
            );
            await rsvp.CommitAsync();
        }

        Assert.False(await RsvpVisibleAsync(goerId, published.EventId));
        Assert.Equal(
            -1,
            SearchFlow.Rank(await SearchFlow.SearchAsync(fx, caller, "lantern creek", "events"), published.EventId)
        );

        await fx.DeliverAsync(published, "FeedEventPublishedConsumer");
        await fx.HandledAsync(published.MessageId, "SearchEventPublishedConsumer");
        Assert.True(await RsvpVisibleAsync(goerId, published.EventId));
        Assert.Equal(
            0,
            SearchFlow.Rank(await SearchFlow.SearchAsync(fx, caller, "lantern creek", "events"), published.EventId)
        );
    }

    [Fact]
    public async Task An_event_made_private_before_its_publication_was_handled_is_never_shown_nor_found()
    {
        var (_, me, _) = await fx.RegisteredAsync();
        var (organizerId, _, _) = await fx.RegisteredAsync();
        await Follow(me, organizerId);
        var publishedAt = fx.Clock.GetUtcNow();
        var published = new EventPublished(
            Guid.NewGuid(),
            publishedAt,
            Guid.NewGuid(),
            organizerId,
            "Open house",
            publishedAt.AddDays(1),
            publishedAt.AddDays(1).AddHours(1),
            0,
            ""
        )
        {
            Visibility = EventVisibility.Public,
            City = "Sharjah",
            Interests = ["pottery"],
        };
        // Made private a minute later, and that message handled first (a backlog on the publication's queues).
        var madePrivate = new EventUpdated(Guid.NewGuid(), publishedAt.AddMinutes(1), published.EventId, ["visibility"])
        {
            Title = "Closed house",
            Visibility = EventVisibility.Private,
        };
        await fx.DeliverAsync(madePrivate, "FeedEventUpdatedConsumer");
        await fx.HandledAsync(madePrivate.MessageId, "SearchEventUpdatedConsumer");
        await fx.DeliverAsync(published, "FeedEventPublishedConsumer");
        await fx.HandledAsync(published.MessageId, "SearchEventPublishedConsumer");

        Assert.Empty(await ItemsAsync(me));
        Assert.Equal(
            "false Closed house",
            await fx.ScalarAsync<string>(
                "SELECT is_public::text || ' ' || title FROM feed_events WHERE event_id = @e",
                ("e", published.EventId)
            )
        );
        // Search keeps it private under its newer title, with what only the publication says (organizer, interests).
        Assert.Equal(
            $"false Closed house {organizerId} true",
            await fx.ScalarAsync<string>(
                """
                SELECT is_public::text || ' ' || title || ' ' || owner_id || ' ' || (body LIKE '%pottery%')::text
                FROM search_documents WHERE kind = 'events' AND id = @e
                """,
                ("e", published.EventId)
            )
        );

        // Made public again later: shown.
        await fx.DeliverAsync(
            madePrivate with
            {
                MessageId = Guid.NewGuid(),
                OccurredAt = publishedAt.AddMinutes(2),
                Visibility = EventVisibility.Public,
            },
            "FeedEventUpdatedConsumer"
        );
        Assert.Equal("Closed house", Assert.Single(await ItemsAsync(me))["subject"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_deleted_account_takes_its_activity_and_everyone_elses_about_it()
    {
        var (meId, me, _) = await fx.RegisteredAsync();
        var (goneId, gone, _) = await fx.RegisteredAsync();
        var (friendId, _, _) = await fx.RegisteredAsync();
        await Follow(me, goneId);
        await Follow(gone, friendId);
        await ConnectAsync(gone, me, meId);
        await ActivitiesAsync(goneId, 2);
        Assert.NotEmpty(await ItemsAsync(me));

        var deleted = new UserDeleted(Guid.NewGuid(), fx.Clock.GetUtcNow(), goneId);
        await fx.DeliverAsync(deleted);
        await fx.PublishAsync(deleted);
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM activities WHERE actor_id = @u OR subject_user_id = @u",
                ("u", goneId)
            )
        );
        Assert.Empty(await ItemsAsync(me));
    }

    [Fact]
    public async Task The_feed_needs_a_token_and_refuses_bad_cursors_and_limits()
    {
        Assert.Equal(401, (int)(await fx.Client.Get("/api/v1/feed")).StatusCode);
        var (_, me, _) = await fx.RegisteredAsync();
        var bad = await (await fx.Client.Get("/api/v1/feed?cursor=@@@&limit=500", me)).AssertProblem(400);
        Assert.NotNull(bad["errors"]!["cursor"]);
        Assert.NotNull(bad["errors"]!["limit"]);
        // Well-formed base64url, but no position this API gave out.
        await (await fx.Client.Get("/api/v1/feed?cursor=bm90LWEtcG9zaXRpb24", me)).AssertProblem(400);
        await (await fx.Client.Get("/api/v1/feed?since=yesterday", me)).AssertProblem(400);
        var empty = await (await fx.Client.Get("/api/v1/feed", me)).AssertStatus(200);
        Assert.Empty(empty["items"]!.AsArray());
        Assert.Null(empty["next_cursor"]);
    }

    private async Task Follow(string token, Guid userId) =>
        await (await fx.Client.SendJson(HttpMethod.Put, $"/api/v1/follows/{userId}", null, token)).AssertStatus(204);

    private async Task Join(string group, string token) =>
        await (await fx.Client.PostJson($"/api/v1/groups/{group}/join", new { }, token)).AssertStatus(201);

    /// <summary><paramref name="from"/> asks <paramref name="toId"/> to connect, and they accept.</summary>
    private async Task ConnectAsync(string from, string to, Guid toId)
    {
        var request = await (
            await fx.Client.PostJson("/api/v1/connections", new { user_id = toId }, from)
        ).AssertStatus(201);
        await (
            await fx.Client.PostJson($"/api/v1/connections/{request["id"]!.GetValue<string>()}/accept", new { }, to)
        ).AssertStatus(200);
    }

    /// <summary>
    /// Events announces a published event by <paramref name="organizerId"/>; the feed has handled it when this returns.
    /// </summary>
    private async Task<Guid> PublishedAsync(
        Guid organizerId,
        string title,
        string visibility = EventVisibility.Public,
        Guid? id = null
    )
    {
        var eventId = id ?? Guid.NewGuid();
        var now = fx.Clock.GetUtcNow();
        await fx.DeliverAsync(
            new EventPublished(
                Guid.NewGuid(),
                now,
                eventId,
                organizerId,
                title,
                now.AddDays(7),
                now.AddDays(7).AddHours(2),
                0,
                ""
            )
            {
                Visibility = visibility,
            },
            "FeedEventPublishedConsumer"
        );
        return eventId;
    }

    private Task RsvpAsync(Guid userId, Guid eventId, DateTimeOffset? at = null) =>
        fx.DeliverAsync(
            new RegistrationConfirmed(
                Guid.NewGuid(),
                at ?? fx.Clock.GetUtcNow(),
                Guid.NewGuid(),
                eventId,
                userId,
                "T-" + userId.ToString("N")[..6],
                null
            ),
            "FeedRegistrationConfirmedConsumer"
        );

    /// <summary>
    /// Social's own events reach the feed through the bus: waits until <paramref name="actorId"/> has this many
    /// activity rows.
    /// </summary>
    private Task ActivitiesAsync(Guid actorId, long count) =>
        Eventually.TrueAsync(
            async () =>
                await fx.ScalarAsync<long>("SELECT count(*) FROM activities WHERE actor_id = @u", ("u", actorId))
                == count,
            $"{actorId} never had {count} activities"
        );

    private async Task<List<JsonNode>> ItemsAsync(string token) =>
        (await (await fx.Client.Get("/api/v1/feed?limit=100", token)).AssertStatus(200))["items"]!
            .AsArray()
            .Select(i => i!)
            .ToList();

    private static string Kind(JsonNode item) => item["kind"]!.GetValue<string>();

    private static string Actor(JsonNode item) => item["actors"]![0]!["user_id"]!.GetValue<string>();

    private static string SubjectId(JsonNode item) => item["subject"]!["id"]!.GetValue<string>();
}
