using System.Net;
using Community.AiCompanion.Activity;
using Community.AiCompanion.Data;
using Community.AiCompanion.Users;
using Community.Contracts.Events;
using Community.Contracts.Payments;
using Community.Contracts.Social;

namespace Community.AiCompanion.Tests;

/// <summary>
/// The concierge feed: what each announcement suggests to whom, and never about a blocked or deleted user.
/// </summary>
public sealed class ActivityTests(CompanionFixture fx) : ActivityTestsBase(fx), IClassFixture<CompanionFixture>
{
    [Fact]
    public async Task An_event_is_suggested_on_the_day_it_starts_where_it_takes_place()
    {
        var region = NewRegion();
        var (organizerId, _) = await MemberAsync(region, ["hiking"]);
        var (_, member) = await MemberAsync(region, ["hiking"]);
        // 02:00 in Dubai is 22:00 UTC the day before.
        var dubaiDawn = new DateTimeOffset(Fx.Clock.GetUtcNow().Year + 1, 5, 16, 2, 0, 0, TimeSpan.FromHours(4));
        var zoned = Guid.NewGuid();
        var unzoned = Guid.NewGuid();
        await AnnounceAsync(
            PublicEvent(zoned, organizerId, region, ["hiking"]) with
            {
                StartsAt = dubaiDawn,
                EndsAt = dubaiDawn.AddHours(2),
                TimeZone = "Asia/Dubai",
            }
        );
        // A publisher that does not say its zone: the day in UTC, as before.
        await AnnounceAsync(
            PublicEvent(unzoned, organizerId, region, ["hiking"]) with
            {
                StartsAt = dubaiDawn,
                EndsAt = dubaiDawn.AddHours(2),
            }
        );

        var local = await ItemAsync(member, $"/api/v1/events/{zoned}");
        Assert.Contains($"on {dubaiDawn:yyyy-MM-dd} matches", local!["description"]!.GetValue<string>());
        var utc = await ItemAsync(member, $"/api/v1/events/{unzoned}");
        Assert.Contains($"on {dubaiDawn.UtcDateTime:yyyy-MM-dd} matches", utc!["description"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_public_event_is_an_opportunity_for_members_nearby_who_share_its_interests()
    {
        var region = NewRegion();
        var city = "City " + Guid.NewGuid().ToString("N")[..6];
        var (organizerId, organizer) = await MemberAsync(region, ["hiking", "chess"]);
        var (_, both) = await MemberAsync(region, ["Chess", "Hiking", "cooking"]);
        var (_, one) = await MemberAsync(null, ["hiking"], city: city, country: "DE");
        var (_, otherCountry) = await MemberAsync(null, ["hiking"], city: city, country: "FR");
        var (_, far) = await MemberAsync(NewRegion(), ["hiking", "chess"]);
        var (_, unrelated) = await MemberAsync(region, ["knitting"]);
        var eventId = Guid.NewGuid();
        var link = $"/api/v1/events/{eventId}";

        await AnnounceAsync(PublicEvent(eventId, organizerId, region, ["hiking", "chess"], city, "DE"));

        var item = await ItemAsync(both, link);
        Assert.NotNull(item);
        Assert.Equal("opportunity", item["type"]!.GetValue<string>());
        Assert.Equal("high", item["priority"]!.GetValue<string>());
        Assert.Equal("An event near you", item["title"]!.GetValue<string>());
        Assert.Contains("matches your interests: chess, hiking.", item["description"]!.GetValue<string>());
        Assert.Equal("View event", item["action_text"]!.GetValue<string>());
        Assert.False(item["read"]!.GetValue<bool>());
        Assert.Equal("medium", (await ItemAsync(one, link))!["priority"]!.GetValue<string>());
        Assert.Null(await ItemAsync(otherCountry, link));
        Assert.Null(await ItemAsync(far, link));
        Assert.Null(await ItemAsync(unrelated, link));
        Assert.Null(await ItemAsync(organizer, link));

        // A private event, or one from a publisher that does not say where it is, suggests nothing.
        var privateId = Guid.NewGuid();
        await AnnounceAsync(
            PublicEvent(privateId, organizerId, region, ["hiking"], visibility: EventVisibility.Private)
        );
        var oldId = Guid.NewGuid();
        await AnnounceAsync(PublicEvent(oldId, organizerId, null, null));
        Assert.Null(await ItemAsync(both, $"/api/v1/events/{privateId}"));
        Assert.Null(await ItemAsync(both, $"/api/v1/events/{oldId}"));

        // Another change leaves it; made private, it is no longer suggested.
        var madePrivate = Guid.NewGuid();
        await AnnounceAsync(PublicEvent(madePrivate, organizerId, region, ["hiking", "chess"], city, "DE"));
        Assert.NotNull(await ItemAsync(both, $"/api/v1/events/{madePrivate}"));
        await AnnounceAsync(
            new EventUpdated(Guid.NewGuid(), Fx.Tick(), madePrivate, ["title"]) { Visibility = EventVisibility.Public }
        );
        Assert.NotNull(await ItemAsync(both, $"/api/v1/events/{madePrivate}"));
        await AnnounceAsync(
            new EventUpdated(Guid.NewGuid(), Fx.Tick(), madePrivate, ["visibility"])
            {
                Visibility = EventVisibility.Private,
            }
        );
        Assert.Null(await ItemAsync(both, $"/api/v1/events/{madePrivate}"));

        // Cancelled: no longer suggested.
        await AnnounceAsync(new EventCancelled(Guid.NewGuid(), Fx.Tick(), eventId, null));
        Assert.Null(await ItemAsync(both, link));
    }

    [Fact]
    public async Task A_redelivered_or_repeated_announcement_makes_no_second_item()
    {
        var region = NewRegion();
        var (organizerId, _) = await MemberAsync(region, ["hiking"]);
        var (memberId, _) = await MemberAsync(region, ["hiking"]);
        var eventId = Guid.NewGuid();
        var published = PublicEvent(eventId, organizerId, region, ["hiking"]);
        await AnnounceAsync(published);
        await Fx.PublishAsync(published);
        await Fx.ConsumedAsync(published.MessageId, "Activity" + nameof(EventPublished) + "Consumer", times: 2);
        // The same event announced again under a new message id (a replay from the outbox of another deployment).
        await AnnounceAsync(published with { MessageId = Guid.NewGuid() });
        Assert.Equal(1L, await ItemsAsync(memberId));

        var connection = Guid.NewGuid();
        var (otherId, _) = await MemberAsync(NewRegion(), ["hiking"]);
        var accepted = new ConnectionAccepted(Guid.NewGuid(), Fx.Tick(), connection, memberId, otherId);
        await AnnounceAsync(accepted);
        await AnnounceAsync(accepted with { MessageId = Guid.NewGuid() });
        Assert.Equal(2L, await ItemsAsync(memberId));
        Assert.Equal(1L, await ItemsAsync(otherId));
    }

    [Fact]
    public async Task A_publication_handled_after_its_withdrawal_suggests_nothing()
    {
        var region = NewRegion();
        var (organizerId, _) = await MemberAsync(region, ["hiking"]);
        var (memberId, _) = await MemberAsync(region, ["hiking"]);

        // Published, then cancelled; the cancellation is handled first (a queue that lagged, a retry).
        var cancelledId = Guid.NewGuid();
        var published = PublicEvent(cancelledId, organizerId, region, ["hiking"]);
        await AnnounceAsync(new EventCancelled(Guid.NewGuid(), Fx.Tick(), cancelledId, null));
        await AnnounceAsync(published);
        // Published, then made private: its title and place are for its invitees only.
        var privateId = Guid.NewGuid();
        var madePublic = PublicEvent(privateId, organizerId, region, ["hiking"]);
        await AnnounceAsync(
            new EventUpdated(Guid.NewGuid(), Fx.Tick(), privateId, ["visibility"])
            {
                Visibility = EventVisibility.Private,
            }
        );
        await AnnounceAsync(madePublic);
        // A connection accepted, then removed, handled the other way round.
        var (otherId, _) = await MemberAsync(NewRegion(), ["hiking"]);
        var connection = Guid.NewGuid();
        var accepted = new ConnectionAccepted(Guid.NewGuid(), Fx.Tick(), connection, memberId, otherId);
        await AnnounceAsync(new ConnectionRemoved(Guid.NewGuid(), Fx.Tick(), connection, memberId, otherId));
        await AnnounceAsync(accepted);

        Assert.Equal(0L, await ItemsAsync(memberId));
        Assert.Equal(0L, await ItemsAsync(otherId));
        // A later publication of something else still reaches them.
        await AnnounceAsync(PublicEvent(Guid.NewGuid(), organizerId, region, ["hiking"]));
        Assert.Equal(1L, await ItemsAsync(memberId));
    }

    [Fact]
    public async Task A_public_group_in_the_region_is_an_opportunity_and_goes_when_deleted()
    {
        var region = NewRegion();
        var (ownerId, owner) = await MemberAsync(region, ["running"]);
        var (_, runner) = await MemberAsync(region, ["running", "yoga"]);
        var groupId = Guid.NewGuid();
        var link = $"/api/v1/groups/{groupId}";

        await AnnounceAsync(
            new GroupCreated(Guid.NewGuid(), Fx.Tick(), groupId, ownerId, "Morning runners", GroupVisibility.Public)
            {
                Region = region,
                Interests = ["running", "outdoors"],
            }
        );
        var item = await ItemAsync(runner, link);
        Assert.NotNull(item);
        Assert.Equal("opportunity", item["type"]!.GetValue<string>());
        Assert.Equal("Join circle", item["action_text"]!.GetValue<string>());
        Assert.Contains("Morning runners", item["description"]!.GetValue<string>());
        Assert.Null(await ItemAsync(owner, link));

        var secretId = Guid.NewGuid();
        await AnnounceAsync(
            new GroupCreated(Guid.NewGuid(), Fx.Tick(), secretId, ownerId, "Hidden", GroupVisibility.Secret)
            {
                Region = region,
                Interests = ["running"],
            }
        );
        var olderId = Guid.NewGuid();
        await AnnounceAsync(
            new GroupCreated(Guid.NewGuid(), Fx.Tick(), olderId, ownerId, "No place", GroupVisibility.Public)
        );
        Assert.Null(await ItemAsync(runner, $"/api/v1/groups/{secretId}"));
        Assert.Null(await ItemAsync(runner, $"/api/v1/groups/{olderId}"));

        // Renamed, it stays; made secret (or private), it goes.
        await AnnounceAsync(new GroupUpdated(Guid.NewGuid(), Fx.Tick(), groupId, ["name"]));
        Assert.NotNull(await ItemAsync(runner, link));
        var madeSecret = Guid.NewGuid();
        await AnnounceAsync(
            new GroupCreated(Guid.NewGuid(), Fx.Tick(), madeSecret, ownerId, "Soon hidden", GroupVisibility.Public)
            {
                Region = region,
                Interests = ["running"],
            }
        );
        Assert.NotNull(await ItemAsync(runner, $"/api/v1/groups/{madeSecret}"));
        await AnnounceAsync(new GroupUpdated(Guid.NewGuid(), Fx.Tick(), madeSecret, ["visibility"]));
        Assert.Null(await ItemAsync(runner, $"/api/v1/groups/{madeSecret}"));

        await AnnounceAsync(new GroupDeleted(Guid.NewGuid(), Fx.Tick(), groupId));
        Assert.Null(await ItemAsync(runner, link));
    }

    [Fact]
    public async Task A_connection_with_shared_interests_is_an_item_for_each_side_naming_them()
    {
        var (aId, a) = await MemberAsync(NewRegion(), ["Chess", "jazz", "hiking"]);
        var (bId, b) = await MemberAsync(NewRegion(), ["jazz", "chess"]);
        var (cId, c) = await MemberAsync(NewRegion(), ["knitting"]);
        var connection = Guid.NewGuid();
        await AnnounceAsync(new ConnectionAccepted(Guid.NewGuid(), Fx.Tick(), connection, aId, bId));

        var forA = await ItemAsync(a, $"/api/v1/profiles/{bId}");
        var forB = await ItemAsync(b, $"/api/v1/profiles/{aId}");
        Assert.NotNull(forA);
        Assert.NotNull(forB);
        Assert.Equal("connection", forA["type"]!.GetValue<string>());
        Assert.Equal("A new connection with shared interests", forA["title"]!.GetValue<string>());
        Assert.Equal("high", forA["priority"]!.GetValue<string>());
        Assert.EndsWith("both enjoy chess, jazz.", forA["description"]!.GetValue<string>());
        Assert.Contains("u" + bId.ToString("N")[..10], forA["description"]!.GetValue<string>());

        // Nothing shared: no item.
        await AnnounceAsync(new ConnectionAccepted(Guid.NewGuid(), Fx.Tick(), Guid.NewGuid(), aId, cId));
        Assert.Empty(await FeedAsync(c));
        Assert.Null(await ItemAsync(a, $"/api/v1/profiles/{cId}"));

        // The connection ended: its items go.
        await AnnounceAsync(new ConnectionRemoved(Guid.NewGuid(), Fx.Tick(), connection, aId, bId));
        Assert.Null(await ItemAsync(a, $"/api/v1/profiles/{bId}"));
        Assert.Null(await ItemAsync(b, $"/api/v1/profiles/{aId}"));
    }

    [Fact]
    public async Task A_course_in_a_category_a_member_is_interested_in_is_an_insight_anywhere()
    {
        var (organizerId, organizer) = await MemberAsync(NewRegion(), ["wellness"]);
        var (_, member) = await MemberAsync(NewRegion(), ["Wellness"]);
        var (_, other) = await MemberAsync(null, ["growth"]);
        var courseId = Guid.NewGuid();
        var link = $"/api/v1/courses/{courseId}";
        await AnnounceAsync(
            new CoursePublished(Guid.NewGuid(), Fx.Tick(), courseId, organizerId, "Mindful mornings", "wellness")
        );

        var item = await ItemAsync(member, link);
        Assert.NotNull(item);
        Assert.Equal("insight", item["type"]!.GetValue<string>());
        Assert.Equal("A course that fits", item["title"]!.GetValue<string>());
        Assert.Equal(
            "Mindful mornings is a course for your interest in wellness.",
            item["description"]!.GetValue<string>()
        );
        Assert.Null(await ItemAsync(other, link));
        Assert.Null(await ItemAsync(organizer, link));

        await AnnounceAsync(
            new CourseWithdrawn(Guid.NewGuid(), Fx.Tick(), courseId, organizerId, "Mindful mornings", [])
        );
        Assert.Null(await ItemAsync(member, link));
    }

    [Fact]
    public async Task A_boost_reminder_shows_once_the_boost_has_ended_and_moves_with_a_newer_boost()
    {
        var (id, token) = await MemberAsync(null, []);
        var until = Fx.Clock.GetUtcNow().AddHours(1);
        await AnnounceAsync(new BoostPurchased(Guid.NewGuid(), Fx.Tick(), id, until));
        Assert.Empty(await FeedAsync(token));

        Fx.Clock.Advance(TimeSpan.FromHours(1));
        token = Fx.TokenFor(id);
        var item = Assert.Single(await FeedAsync(token));
        Assert.Equal("boost", item!["type"]!.GetValue<string>());
        Assert.Equal("Your boost has ended", item["title"]!.GetValue<string>());
        var itemId = item["id"]!.GetValue<Guid>();
        await (await Fx.Client.PostJson($"/api/v1/activity/{itemId}/read", new { }, token)).AssertStatus(204);

        // A new boost: the reminder waits for its end, unread again.
        var stale = Fx.Tick();
        await AnnounceAsync(new BoostPurchased(Guid.NewGuid(), Fx.Tick(), id, Fx.Clock.GetUtcNow().AddDays(7)));
        Assert.Empty(await FeedAsync(token));
        // An older message changes nothing.
        await AnnounceAsync(new BoostRevoked(Guid.NewGuid(), stale, id, Guid.NewGuid(), stale));
        Assert.Empty(await FeedAsync(token));

        // Refunded: the boost ends now.
        var now = Fx.Tick();
        await AnnounceAsync(new BoostRevoked(Guid.NewGuid(), now, id, Guid.NewGuid(), now));
        var again = Assert.Single(await FeedAsync(token));
        Assert.Equal(itemId, again!["id"]!.GetValue<Guid>());
        Assert.False(again["read"]!.GetValue<bool>());
        Assert.Equal(1L, await ItemsAsync(id));
    }

    [Fact]
    public async Task Nothing_is_suggested_across_a_block_and_a_later_block_hides_what_was()
    {
        var region = NewRegion();
        var (organizerId, _) = await MemberAsync(region, ["hiking"]);
        var (blockerId, blocker) = await MemberAsync(region, ["hiking"]);
        var (blockedId, blocked) = await MemberAsync(region, ["hiking"]);
        var (bystanderId, bystander) = await MemberAsync(region, ["hiking"]);
        await BlockAsync(blockerId, organizerId);
        await BlockAsync(organizerId, blockedId);

        var first = Guid.NewGuid();
        await AnnounceAsync(PublicEvent(first, organizerId, region, ["hiking"]));
        Assert.Null(await ItemAsync(blocker, $"/api/v1/events/{first}"));
        Assert.Null(await ItemAsync(blocked, $"/api/v1/events/{first}"));
        Assert.NotNull(await ItemAsync(bystander, $"/api/v1/events/{first}"));

        // A connection across a block is not celebrated either.
        await AnnounceAsync(new ConnectionAccepted(Guid.NewGuid(), Fx.Tick(), Guid.NewGuid(), blockerId, organizerId));
        Assert.Null(await ItemAsync(blocker, $"/api/v1/profiles/{organizerId}"));

        // Blocked after the fact, in either direction: the item is hidden, and cannot be marked read.
        var (otherOrganizerId, _) = await MemberAsync(NewRegion(), ["hiking"]);
        var second = Guid.NewGuid();
        await AnnounceAsync(PublicEvent(second, otherOrganizerId, region, ["hiking"]));
        var item = await ItemAsync(bystander, $"/api/v1/events/{second}");
        Assert.NotNull(item);
        await BlockAsync(otherOrganizerId, bystanderId);
        Assert.Null(await ItemAsync(bystander, $"/api/v1/events/{second}"));
        Assert.NotNull(await ItemAsync(bystander, $"/api/v1/events/{first}"));
        await (await Fx.Client.PostJson($"/api/v1/activity/{item["id"]}/read", new { }, bystander)).AssertProblem(404);

        // And the other way round: the member blocks the organizer later.
        await BlockAsync(bystanderId, organizerId);
        Assert.Null(await ItemAsync(bystander, $"/api/v1/events/{first}"));

        // Marking everything read counts and marks only what the list shows: the hidden items tell of no block.
        var shownUnread = (await FeedAsync(bystander, "?unread_only=true")).Count;
        var marked = await (await Fx.Client.PostJson("/api/v1/activity/read-all", new { }, bystander)).AssertStatus(
            200
        );
        Assert.Equal(shownUnread, marked["updated"]!.GetValue<int>());
        Assert.Equal(
            1L,
            await Fx.ScalarAsync<long>(
                "SELECT count(*) FROM activity_items WHERE id = @id AND read_at IS NULL",
                ("id", item["id"]!.GetValue<Guid>())
            )
        );
    }

    [Fact]
    public async Task A_deleted_account_loses_its_feed_and_disappears_from_everyone_elses()
    {
        var region = NewRegion();
        var (organizerId, _) = await MemberAsync(region, ["chess"]);
        var (memberId, member) = await MemberAsync(region, ["chess"]);
        var eventId = Guid.NewGuid();
        await AnnounceAsync(PublicEvent(eventId, organizerId, region, ["chess"]));
        await AnnounceAsync(
            new CoursePublished(Guid.NewGuid(), Fx.Tick(), Guid.NewGuid(), Guid.NewGuid(), "Openings", "chess")
        );
        Assert.Equal(2, (await FeedAsync(member)).Count);

        await Fx.DeliverAsync(new UserDeleted(Guid.NewGuid(), Fx.Tick(), organizerId));
        var left = Assert.Single(await FeedAsync(member));
        Assert.Equal("insight", left!["type"]!.GetValue<string>());
        Assert.Equal(
            0L,
            await Fx.ScalarAsync<long>(
                "SELECT count(*) FROM activity_items WHERE about_user_id = @id",
                ("id", organizerId)
            )
        );

        // Nothing new is made about a deleted account, and a deleted member's own items are erased.
        await AnnounceAsync(PublicEvent(Guid.NewGuid(), organizerId, region, ["chess"]));
        Assert.Single(await FeedAsync(member));
        await Fx.DeliverAsync(new UserDeleted(Guid.NewGuid(), Fx.Tick(), memberId));
        Assert.Equal(0L, await ItemsAsync(memberId));
        await AnnounceAsync(new BoostPurchased(Guid.NewGuid(), Fx.Tick(), memberId, Fx.Clock.GetUtcNow()));
        Assert.Equal(0L, await ItemsAsync(memberId));
    }

    [Fact]
    public async Task What_is_being_written_about_an_account_while_it_is_erased_goes_with_it()
    {
        var region = NewRegion();
        var (leaverId, _) = await MemberAsync(region, ["chess"]);
        var (memberId, member) = await MemberAsync(region, ["chess"]);
        var now = Fx.Clock.GetUtcNow();
        using var scope = Fx.Host.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<CompanionDbContext>();
        await using (var writing = await db.Database.BeginTransactionAsync())
        {
            // A connection's items and a block under way (as their consumers write them): written, not committed.
            Assert.Equal(
                2,
                await ActivityFeed.ConnectedAsync(db, Guid.NewGuid(), leaverId, memberId, now, now, default)
            );
            await Blocks.SetAsync(db, memberId, leaverId, true, now, default);

            var erasing = Fx.DeliverAsync(new UserDeleted(Guid.NewGuid(), Fx.Tick(), leaverId));
            // The erasure waits for the writer (without the gate it would be done, having missed the new rows).
            await Eventually.TrueAsync(
                async () => erasing.IsCompleted || await ErasureWaitingAsync(),
                "the erasure neither finished nor waited"
            );
            await writing.CommitAsync();
            await erasing;
        }

        Assert.Equal(
            0L,
            await Fx.ScalarAsync<long>(
                "SELECT count(*) FROM activity_items WHERE user_id = @id OR about_user_id = @id",
                ("id", leaverId)
            )
        );
        Assert.Empty(await FeedAsync(member));
        Assert.Equal(
            0L,
            await Fx.ScalarAsync<long>(
                "SELECT count(*) FROM blocks WHERE blocker_id = @id OR blocked_id = @id",
                ("id", leaverId)
            )
        );
    }

    /// <summary>Whether a session of this test database waits for an exclusive advisory lock (an erasure).</summary>
    private Task<bool> ErasureWaitingAsync() =>
        Fx.ScalarAsync<bool>(
            """
            SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND mode = 'ExclusiveLock' AND NOT granted
                             AND database = (SELECT oid FROM pg_database WHERE datname = current_database()))
            """
        );

    [Fact]
    public async Task Items_are_marked_read_one_by_one_or_all_at_once_and_only_by_their_owner()
    {
        var (id, token) = await MemberAsync(null, ["poetry"]);
        var (_, stranger) = await MemberAsync(null, ["poetry"]);
        for (var i = 0; i < 3; i++)
            await AnnounceAsync(
                new CoursePublished(Guid.NewGuid(), Fx.Tick(), Guid.NewGuid(), Guid.NewGuid(), "Verse " + i, "poetry")
            );
        var items = await FeedAsync(token);
        Assert.Equal(3, items.Count);
        var first = items[0]!["id"]!.GetValue<Guid>();

        await (await Fx.Client.PostJson($"/api/v1/activity/{first}/read", new { }, stranger)).AssertProblem(404);
        await (await Fx.Client.PostJson($"/api/v1/activity/{Guid.NewGuid()}/read", new { }, token)).AssertProblem(404);
        await (await Fx.Client.PostJson($"/api/v1/activity/{first}/read", new { }, token)).AssertStatus(204);
        await (await Fx.Client.PostJson($"/api/v1/activity/{first}/read", new { }, token)).AssertStatus(204);
        Assert.True((await FeedAsync(token))[0]!["read"]!.GetValue<bool>());
        Assert.All(await FeedAsync(stranger), i => Assert.False(i!["read"]!.GetValue<bool>()));

        var unread = await FeedAsync(token, "?unread_only=true");
        Assert.Equal(2, unread.Count);
        Assert.DoesNotContain(unread, i => i!["id"]!.GetValue<Guid>() == first);

        var marked = await (await Fx.Client.PostJson("/api/v1/activity/read-all", new { }, token)).AssertStatus(200);
        Assert.Equal(2, marked["updated"]!.GetValue<int>());
        Assert.Empty(await FeedAsync(token, "?unread_only=true"));
        Assert.Equal(3, (await FeedAsync(stranger, "?unread_only=true")).Count);
        Assert.Equal(3L, await ItemsAsync(id));

        Assert.Equal(HttpStatusCode.Unauthorized, (await Fx.Client.Get("/api/v1/activity")).StatusCode);
        Assert.Equal(
            HttpStatusCode.Unauthorized,
            (await Fx.Client.PostJson("/api/v1/activity/read-all", new { })).StatusCode
        );
    }

    [Fact]
    public async Task The_feed_pages_newest_first_by_cursor_and_refuses_a_bad_cursor_or_limit()
    {
        var (_, token) = await MemberAsync(null, ["origami"]);
        var titles = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            await AnnounceAsync(
                new CoursePublished(Guid.NewGuid(), Fx.Tick(), Guid.NewGuid(), Guid.NewGuid(), "Fold " + i, "origami")
            );
            Fx.Clock.Advance(TimeSpan.FromSeconds(1));
        }

        var seen = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await (
                await Fx.Client.Get("/api/v1/activity?limit=2" + (cursor is null ? "" : "&cursor=" + cursor), token)
            ).AssertStatus(200);
            seen.AddRange(page["items"]!.AsArray().Select(i => i!["description"]!.GetValue<string>()));
            cursor = page["next_cursor"]?.GetValue<string>();
            pages++;
        } while (cursor is not null);
        Assert.Equal(3, pages);
        Assert.Equal(
            Enumerable.Range(0, 5).Reverse().Select(i => $"Fold {i} is a course for your interest in origami."),
            seen
        );

        await (await Fx.Client.Get("/api/v1/activity?cursor=not-a-cursor", token)).AssertProblem(400);
        await (
            await Fx.Client.Get(
                "/api/v1/activity?cursor=" + Uri.EscapeDataString(Convert.ToBase64String("42.x"u8.ToArray())),
                token
            )
        ).AssertProblem(400);
        await (await Fx.Client.Get("/api/v1/activity?limit=0", token)).AssertProblem(400);
        await (await Fx.Client.Get("/api/v1/activity?limit=101", token)).AssertProblem(400);
        Assert.Single(await FeedAsync(token, "?limit=1"));
        Assert.Equal(5, (await FeedAsync(token, "?limit=100")).Count);
    }
}
