using System.Text.Json.Nodes;
using Community.Contracts.Events;
using Community.ServiceDefaults.Data;
using Community.Social.Dashboard;
using Community.Social.Data;
using Microsoft.Extensions.DependencyInjection;

namespace Community.Social.Tests;

public sealed class DashboardTests(SocialFixture fx) : IClassFixture<SocialFixture>
{
    [Fact]
    public async Task Dashboard_needs_a_token()
    {
        await (await fx.Client.Get("/api/v1/dashboard")).AssertProblem(401);
        await (await fx.Client.Get("/api/v1/dashboard", "not-a-token")).AssertProblem(401);
    }

    [Fact]
    public async Task Streak_counts_days_in_a_row_ending_today_or_yesterday_as_the_clock_moves()
    {
        var (meId, me, _) = await fx.RegisteredAsync();
        var others = new List<Guid>();
        for (var i = 0; i < 3; i++)
            others.Add((await fx.RegisteredAsync()).Id);
        var fresh = await DashboardAsync(me);
        Assert.Equal(0, fresh["streak"]!["days"]!.GetValue<int>());
        Assert.Null(fresh["streak"]!["last_active_on"]);

        await (await fx.Client.SendJson(HttpMethod.Put, $"/api/v1/follows/{others[0]}", null, me)).AssertStatus(204);
        var today = await StreakEventuallyAsync(me, 1);
        Assert.True(today["active_today"]!.GetValue<bool>());

        // The next day: a follow makes two in a row.
        fx.Clock.Advance(TimeSpan.FromDays(1));
        me = fx.Tokens.Issue(meId);
        await (await fx.Client.SendJson(HttpMethod.Put, $"/api/v1/follows/{others[1]}", null, me)).AssertStatus(204);
        await StreakEventuallyAsync(me, 2);

        // A day with nothing yet: the streak still stands, ending yesterday.
        fx.Clock.Advance(TimeSpan.FromDays(1));
        me = fx.Tokens.Issue(meId);
        var quiet = (await DashboardAsync(me))["streak"]!;
        Assert.Equal(2, quiet["days"]!.GetValue<int>());
        Assert.False(quiet["active_today"]!.GetValue<bool>());

        // A second day without: broken. Activity starts a new one.
        fx.Clock.Advance(TimeSpan.FromDays(1));
        me = fx.Tokens.Issue(meId);
        Assert.Equal(0, (await DashboardAsync(me))["streak"]!["days"]!.GetValue<int>());
        await (await fx.Client.SendJson(HttpMethod.Put, $"/api/v1/follows/{others[2]}", null, me)).AssertStatus(204);
        await StreakEventuallyAsync(me, 1);
        Assert.Equal(
            3L,
            await fx.ScalarAsync<long>("SELECT count(*) FROM activity_days WHERE user_id = @u", ("u", meId))
        );
    }

    [Fact]
    public async Task Streak_stops_at_the_first_missing_day()
    {
        var (meId, me, _) = await fx.RegisteredAsync();
        var today = DateOnly.FromDateTime(fx.Clock.GetUtcNow().UtcDateTime);
        foreach (var back in new[] { 1, 2, 3, 5, 6 })
            await fx.ExecuteAsync(
                "INSERT INTO activity_days (user_id, day) VALUES (@u, @d)",
                ("u", meId),
                ("d", today.AddDays(-back))
            );
        var streak = (await DashboardAsync(me))["streak"]!;
        Assert.Equal(3, streak["days"]!.GetValue<int>());
        Assert.False(streak["active_today"]!.GetValue<bool>());
        Assert.Equal(today.AddDays(-1).ToString("yyyy-MM-dd"), streak["last_active_on"]!.GetValue<string>());
    }

    [Fact]
    public async Task Counts_and_weekly_growth_are_my_own()
    {
        var (meId, me, _) = await fx.RegisteredAsync();
        await (
            await fx.Client.PostJson(
                "/api/v1/groups",
                new
                {
                    name = "Dashboard runners",
                    visibility = "public",
                    join_policy = "open",
                },
                me
            )
        ).AssertStatus(201);
        // Two accepted this week, one request still waiting for me.
        for (var i = 0; i < 3; i++)
        {
            var (_, other, _) = await fx.RegisteredAsync();
            var request = await (
                await fx.Client.PostJson("/api/v1/connections", new { user_id = meId }, other)
            ).AssertStatus(201);
            if (i < 2)
                await (
                    await fx.Client.SendJson(HttpMethod.Post, $"/api/v1/connections/{request["id"]}/accept", null, me)
                ).AssertStatus(200);
        }
        for (var i = 0; i < 2; i++)
        {
            var (_, fan, _) = await fx.RegisteredAsync();
            await (await fx.Client.SendJson(HttpMethod.Put, $"/api/v1/follows/{meId}", null, fan)).AssertStatus(204);
        }
        // The week before: one connection and one follower; three weeks ago: one more of each, in neither week.
        var now = fx.Clock.GetUtcNow();
        foreach (var daysAgo in new[] { 10, 20 })
        {
            var at = now.AddDays(-daysAgo);
            await fx.ExecuteAsync(
                """
                INSERT INTO connections (id, requester_id, addressee_id, status, created_at, accepted_at)
                    VALUES (@id, @r, @me, 'accepted', @at, @at)
                """,
                ("id", Guid.NewGuid()),
                ("r", Guid.NewGuid()),
                ("me", meId),
                ("at", at)
            );
            await fx.ExecuteAsync(
                "INSERT INTO follows (follower_id, followed_id, created_at) VALUES (@f, @me, @at)",
                ("f", Guid.NewGuid()),
                ("me", meId),
                ("at", at)
            );
        }
        // Two courses; the same enrollment announced twice counts once.
        var course = new CourseEnrolled(Guid.NewGuid(), now, Guid.NewGuid(), Guid.NewGuid(), meId, 0, null, null);
        await fx.DeliverAsync(course, "DashboardCourseEnrolledConsumer");
        await fx.DeliverAsync(course with { MessageId = Guid.NewGuid() }, "DashboardCourseEnrolledConsumer");
        var paid = new CourseEnrolled(Guid.NewGuid(), now, Guid.NewGuid(), Guid.NewGuid(), meId, 1500, "AED", null);
        await fx.DeliverAsync(paid, "DashboardCourseEnrolledConsumer");
        await fx.DeliverAsync(new ArrivalRecorded(Guid.NewGuid(), now, Guid.NewGuid(), Guid.NewGuid(), meId, now));

        var dashboard = await DashboardAsync(me);
        Assert.Equal(meId.ToString(), dashboard["user_id"]!.GetValue<string>());
        var counts = dashboard["counts"]!;
        Assert.Equal(4, counts["connections"]!.GetValue<int>());
        Assert.Equal(4, counts["followers"]!.GetValue<int>());
        Assert.Equal(1, counts["groups"]!.GetValue<int>());
        Assert.Equal(1, counts["events_attended"]!.GetValue<int>());
        Assert.Equal(2, counts["courses_in_progress"]!.GetValue<int>());
        // A completed course (delivered twice) is no longer in progress;
        // a completion that overtook its enrollment counts as completed.
        var done = new CourseCompleted(Guid.NewGuid(), now, course.CourseId, course.EnrollmentId, meId, "Course");
        await fx.DeliverAsync(done, "DashboardCourseCompletedConsumer");
        await fx.DeliverAsync(done with { MessageId = Guid.NewGuid() }, "DashboardCourseCompletedConsumer");
        var early = new CourseCompleted(Guid.NewGuid(), now, Guid.NewGuid(), Guid.NewGuid(), meId, "Early");
        await fx.DeliverAsync(early, "DashboardCourseCompletedConsumer");
        await fx.DeliverAsync(
            new CourseEnrolled(Guid.NewGuid(), now, early.CourseId, early.EnrollmentId, meId, 0, null, null),
            "DashboardCourseEnrolledConsumer"
        );
        counts = (await DashboardAsync(me))["counts"]!;
        Assert.Equal(1, counts["courses_in_progress"]!.GetValue<int>());
        Assert.Equal(1, counts["pending_requests"]!.GetValue<int>());
        // The paid one refunded in full: no longer a course of mine.
        await fx.DeliverAsync(
            new CourseEnrollmentEnded(Guid.NewGuid(), now, paid.CourseId, paid.EnrollmentId, meId, "refunded"),
            "DashboardCourseEnrollmentEndedConsumer"
        );
        Assert.Equal(0, (await DashboardAsync(me))["counts"]!["courses_in_progress"]!.GetValue<int>());
        var growth = dashboard["weekly_growth_detail"]!;
        Assert.Equal(100.0, dashboard["weekly_growth"]!.GetValue<double>());
        Assert.Equal(2, growth["new_connections"]!.GetValue<int>());
        Assert.Equal(2, growth["new_followers"]!.GetValue<int>());
        Assert.Equal(1, growth["previous_connections"]!.GetValue<int>());
        Assert.Equal(1, growth["previous_followers"]!.GetValue<int>());
        Assert.Equal(100, growth["change_percent"]!.GetValue<int>());
        Assert.Empty(dashboard["badges"]!.AsArray());
        Assert.Equal(3, dashboard["next_badges"]!.AsArray().Count);

        // Nothing of mine shows on someone else's dashboard.
        var (_, stranger, _) = await fx.RegisteredAsync();
        var theirs = (await DashboardAsync(stranger))["counts"]!;
        Assert.Equal(
            0,
            theirs["connections"]!.GetValue<int>()
                + theirs["followers"]!.GetValue<int>()
                + theirs["groups"]!.GetValue<int>()
                + theirs["courses_in_progress"]!.GetValue<int>()
                + theirs["pending_requests"]!.GetValue<int>()
        );
        var strangers = await DashboardAsync(stranger);
        Assert.Null(strangers["weekly_growth_detail"]!["change_percent"]);
        Assert.Null(strangers["weekly_growth"]);
    }

    [Fact]
    public async Task Connected_is_awarded_once_whatever_triggers_it_at_once_or_again()
    {
        var (meId, me, _) = await fx.RegisteredAsync();
        var now = fx.Clock.GetUtcNow();
        // Nine connections: one short of the badge, which the dashboard shows as progress.
        for (var i = 0; i < 9; i++)
            await fx.ExecuteAsync(
                """
                INSERT INTO connections (id, requester_id, addressee_id, status, created_at, accepted_at)
                    VALUES (@id, @r, @me, 'accepted', @at, @at)
                """,
                ("id", Guid.NewGuid()),
                ("r", Guid.NewGuid()),
                ("me", meId),
                ("at", now)
            );
        var before = await DashboardAsync(me);
        Assert.Empty(before["badges"]!.AsArray());
        var progress = Assert.Single(
            before["next_badges"]!.AsArray(),
            b => b!["badge"]!.GetValue<string>() == "connected"
        )!;
        Assert.Equal(9, progress["progress"]!.GetValue<int>());
        Assert.Equal(10, progress["target"]!.GetValue<int>());

        // The tenth through the API, then six more triggers at once and a replay of one of them.
        var (_, other, _) = await fx.RegisteredAsync();
        var request = await (
            await fx.Client.PostJson("/api/v1/connections", new { user_id = meId }, other)
        ).AssertStatus(201);
        await (
            await fx.Client.SendJson(HttpMethod.Post, $"/api/v1/connections/{request["id"]}/accept", null, me)
        ).AssertStatus(200);
        var triggers = Enumerable
            .Range(0, 6)
            .Select(_ => new ConnectionAccepted(Guid.NewGuid(), now, Guid.NewGuid(), Guid.NewGuid(), meId))
            .ToList();
        await Task.WhenAll(triggers.Select(t => fx.PublishAsync(t)));
        await fx.PublishAsync(triggers[0]);
        foreach (var t in triggers)
            await fx.HandledAsync(t.MessageId, "DashboardConnectionAcceptedConsumer");
        await Eventually.TrueAsync(
            async () => await BadgeCountAsync(meId, "connected") == 1,
            "Connected was never awarded"
        );

        Assert.Equal(1L, await BadgeCountAsync(meId, "connected"));
        Assert.Equal(1L, await BadgeEarnedCountAsync(meId, "connected"));
        var after = await DashboardAsync(me);
        var badge = Assert.Single(after["badges"]!.AsArray())!;
        Assert.Equal("connected", badge["badge"]!.GetValue<string>());
        Assert.Equal("Connected", badge["name"]!.GetValue<string>());
        Assert.NotNull(badge["earned_at"]);
        Assert.DoesNotContain(after["next_badges"]!.AsArray(), b => b!["badge"]!.GetValue<string>() == "connected");
        Assert.Equal(2, after["next_badges"]!.AsArray().Count);
    }

    [Fact]
    public async Task Concurrent_awards_insert_one_badge_and_one_BadgeEarned()
    {
        var (meId, _, _) = await fx.RegisteredAsync();
        for (var i = 0; i < 5; i++)
            await fx.ExecuteAsync(
                "INSERT INTO events_attended (user_id, event_id, arrived_at) VALUES (@u, @e, now())",
                ("u", meId),
                ("e", Guid.NewGuid())
            );
        using var start = new ManualResetEventSlim();
        var awards = Enumerable
            .Range(0, 8)
            .Select(_ =>
                Task.Run(async () =>
                {
                    await using var scope = fx.Host.Services.CreateAsyncScope();
                    var db = scope.ServiceProvider.GetRequiredService<SocialDbContext>();
                    start.Wait();
                    await db.InTransactionAsync(
                        async ct =>
                        {
                            await BadgeRules.AwardAsync(db, meId, fx.Clock.GetUtcNow(), ct);
                            return true;
                        },
                        CancellationToken.None
                    );
                })
            )
            .ToList();
        start.Set();
        await Task.WhenAll(awards);
        Assert.Equal(1L, await BadgeCountAsync(meId, "regular"));
        Assert.Equal(1L, await BadgeEarnedCountAsync(meId, "regular"));
    }

    [Fact]
    public async Task Regular_comes_with_the_fifth_event_checked_in_once_and_check_ins_are_activity()
    {
        var (meId, me, _) = await fx.RegisteredAsync();
        var now = fx.Clock.GetUtcNow();
        var checkIns = Enumerable
            .Range(0, 5)
            .Select(_ => new ArrivalRecorded(Guid.NewGuid(), now, Guid.NewGuid(), Guid.NewGuid(), meId, now))
            .ToList();
        foreach (var c in checkIns.Take(4))
            await fx.DeliverAsync(c);
        Assert.Equal(0L, await BadgeCountAsync(meId, "regular"));
        await fx.DeliverAsync(checkIns[4]);
        // A replay, and a second check-in at an event already counted.
        await fx.PublishAsync(checkIns[4]);
        await fx.DeliverAsync(checkIns[3] with { MessageId = Guid.NewGuid() });
        await fx.DeliverAsync(
            new ConnectionAccepted(Guid.NewGuid(), now, Guid.NewGuid(), Guid.NewGuid(), meId),
            "DashboardConnectionAcceptedConsumer"
        );

        Assert.Equal(1L, await BadgeCountAsync(meId, "regular"));
        Assert.Equal(1L, await BadgeEarnedCountAsync(meId, "regular"));
        var dashboard = await DashboardAsync(me);
        Assert.Equal("regular", Assert.Single(dashboard["badges"]!.AsArray())!["badge"]!.GetValue<string>());
        Assert.Equal(1, dashboard["streak"]!["days"]!.GetValue<int>());
        Assert.Equal(5, dashboard["counts"]!["events_attended"]!.GetValue<int>());

        // A deleted account leaves no dashboard behind.
        await fx.DeliverAsync(new UserDeleted(Guid.NewGuid(), now, meId));
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>(
                """
                SELECT (SELECT count(*) FROM badges WHERE user_id = @u) + (SELECT count(*) FROM activity_days
                    WHERE user_id = @u)
                """,
                ("u", meId)
            )
        );
    }

    // A check-in read as a living account's and written after its erasure committed would outlive it (the erasure's
    // DELETE never saw it): the consumer holds the erasure gate shared, so it waits, then sees the tombstone.
    [Fact]
    public async Task A_check_in_handled_while_its_account_is_erased_leaves_nothing()
    {
        var (meId, _, _) = await fx.RegisteredAsync();
        var now = fx.Clock.GetUtcNow();

        await fx.CommitsWhileWaitedOnAsync(
            "SELECT pg_advisory_xact_lock(hashtextextended('user-erasure', 0)); "
                + "UPDATE user_profiles SET deleted_at = now() WHERE user_id = @u",
            async () =>
            {
                await fx.DeliverAsync(
                    new ArrivalRecorded(Guid.NewGuid(), now, Guid.NewGuid(), Guid.NewGuid(), meId, now)
                );
                return true;
            },
            "the check-in never waited for the erasure under way",
            ("u", meId)
        );

        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>(
                """
                SELECT (SELECT count(*) FROM events_attended WHERE user_id = @u)
                    + (SELECT count(*) FROM activity_days WHERE user_id = @u)
                    + (SELECT count(*) FROM badges WHERE user_id = @u)
                """,
                ("u", meId)
            )
        );
    }

    [Fact]
    public async Task Regular_comes_when_the_check_ins_are_handled_all_at_once()
    {
        for (var round = 0; round < 3; round++)
        {
            var (meId, _, _) = await fx.RegisteredAsync();
            var now = fx.Clock.GetUtcNow();
            var checkIns = Enumerable
                .Range(0, 6)
                .Select(_ => new ArrivalRecorded(Guid.NewGuid(), now, Guid.NewGuid(), Guid.NewGuid(), meId, now))
                .ToList();
            await Task.WhenAll(checkIns.Select(c => fx.PublishAsync(c)));
            await Task.WhenAll(checkIns.Select(c => fx.HandledAsync(c.MessageId, "ArrivalRecordedConsumer")));
            Assert.Equal(1L, await BadgeCountAsync(meId, "regular"));
            Assert.Equal(1L, await BadgeEarnedCountAsync(meId, "regular"));
        }
    }

    [Fact]
    public async Task Founder_comes_when_a_group_I_own_reaches_10_members()
    {
        var (meId, me, _) = await fx.RegisteredAsync();
        var group = await (
            await fx.Client.PostJson(
                "/api/v1/groups",
                new
                {
                    name = "Founders club",
                    visibility = "public",
                    join_policy = "open",
                },
                me
            )
        ).AssertStatus(201);
        var groupId = Guid.Parse(group["id"]!.GetValue<string>());
        var lastMemberId = Guid.Empty;
        for (var i = 0; i < 9; i++)
        {
            var (memberId, member, _) = await fx.RegisteredAsync();
            lastMemberId = memberId;
            await (
                await fx.Client.SendJson(HttpMethod.Post, $"/api/v1/groups/{group["id"]}/join", null, member)
            ).AssertStatus(201);
            if (i == 7)
            {
                // Nine members, the ninth's join handled (its activity day is written with the award check): not yet.
                await Eventually.TrueAsync(
                    async () =>
                        await fx.ScalarAsync<long>(
                            "SELECT count(*) FROM activity_days WHERE user_id = @u",
                            ("u", memberId)
                        ) == 1,
                    "the ninth join was never handled"
                );
                Assert.Equal(0L, await BadgeCountAsync(meId, "founder"));
            }
        }
        await Eventually.TrueAsync(
            async () => await BadgeEarnedCountAsync(meId, "founder") == 1,
            "Founder was never announced"
        );
        var dashboard = await DashboardAsync(me);
        Assert.Equal("founder", Assert.Single(dashboard["badges"]!.AsArray())!["badge"]!.GetValue<string>());
        Assert.Equal(1, dashboard["counts"]!["groups"]!.GetValue<int>());

        // More joins announced at once, and one of them again: still one badge, one announcement.
        var joins = Enumerable
            .Range(0, 4)
            .Select(_ => new GroupMemberJoined(Guid.NewGuid(), fx.Clock.GetUtcNow(), groupId, Guid.NewGuid()))
            .ToList();
        await Task.WhenAll(joins.Select(j => fx.PublishAsync(j)));
        await fx.PublishAsync(joins[0]);
        foreach (var j in joins)
            await fx.HandledAsync(j.MessageId, "DashboardGroupMemberJoinedConsumer");
        Assert.Equal(1L, await BadgeCountAsync(meId, "founder"));
        Assert.Equal(1L, await BadgeEarnedCountAsync(meId, "founder"));

        // Handing the group over makes the new owner a Founder too; mine is kept.
        await (
            await fx.Client.SendJson(
                HttpMethod.Patch,
                $"/api/v1/groups/{groupId}/members/{lastMemberId}",
                new { role = "owner" },
                me
            )
        ).AssertStatus(200);
        await Eventually.TrueAsync(
            async () => await BadgeEarnedCountAsync(lastMemberId, "founder") == 1,
            "the new owner never became a Founder"
        );
        Assert.Equal(1L, await BadgeCountAsync(meId, "founder"));
    }

    [Fact]
    public async Task The_dashboard_documents_its_answers()
    {
        var document = await (await fx.Client.Get("/openapi/v1.json")).AssertStatus(200);
        var responses = document["paths"]!["/api/v1/dashboard"]!["get"]!["responses"]!
            .AsObject()
            .Select(r => r.Key)
            .ToHashSet();
        Assert.Superset(new HashSet<string> { "200", "401" }, responses);
    }

    private async Task<JsonNode> DashboardAsync(string token) =>
        await (await fx.Client.Get("/api/v1/dashboard", token)).AssertStatus(200);

    private async Task<JsonNode> StreakEventuallyAsync(string token, int days)
    {
        JsonNode? streak = null;
        await Eventually.TrueAsync(
            async () =>
            {
                streak = (await DashboardAsync(token))["streak"];
                return streak!["days"]!.GetValue<int>() == days;
            },
            $"the streak never reached {days}"
        );
        return streak!;
    }

    [Fact]
    public async Task Qualifiers_without_the_event_that_awards_a_badge_get_it_from_the_start_up_backfill_once()
    {
        // Reached without any triggering event (as before the rules existed): ten connections, five check-ins.
        var (connectedId, _, _) = await fx.RegisteredAsync();
        var (regularId, _, _) = await fx.RegisteredAsync();
        var now = fx.Clock.GetUtcNow();
        for (var i = 0; i < 10; i++)
            await fx.ExecuteAsync(
                """
                INSERT INTO connections (id, requester_id, addressee_id, status, created_at, accepted_at)
                    VALUES (@id, @r, @me, 'accepted', @at, @at)
                """,
                ("id", Guid.NewGuid()),
                ("r", Guid.NewGuid()),
                ("me", connectedId),
                ("at", now)
            );
        for (var i = 0; i < 5; i++)
            await fx.ExecuteAsync(
                "INSERT INTO events_attended (user_id, event_id, arrived_at) VALUES (@u, @e, @at)",
                ("u", regularId),
                ("e", Guid.NewGuid()),
                ("at", now)
            );
        Assert.Equal(0L, await BadgeCountAsync(connectedId, "connected"));

        foreach (var _ in new[] { 1, 2 })
        {
            await using var scope = fx.Host.Services.CreateAsyncScope();
            await BadgeBackfill.RunAsync(
                scope.ServiceProvider.GetRequiredService<SocialDbContext>(),
                now,
                CancellationToken.None
            );
        }
        Assert.Equal(1L, await BadgeCountAsync(connectedId, "connected"));
        Assert.Equal(1L, await BadgeEarnedCountAsync(connectedId, "connected"));
        Assert.Equal(1L, await BadgeCountAsync(regularId, "regular"));
        Assert.Equal(1L, await BadgeEarnedCountAsync(regularId, "regular"));
        Assert.Equal(0L, await BadgeCountAsync(regularId, "connected"));
    }

    private Task<long> BadgeCountAsync(Guid userId, string badge) =>
        fx.ScalarAsync<long>(
            "SELECT count(*) FROM badges WHERE user_id = @u AND badge = @b",
            ("u", userId),
            ("b", badge)
        );

    private Task<long> BadgeEarnedCountAsync(Guid userId, string badge) =>
        fx.ScalarAsync<long>(
            $"""
            SELECT count(*) FROM outbox_messages WHERE type LIKE '%.{nameof(BadgeEarned)},%' AND payload->>'userId' = @u
                AND payload->>'badge' = @b
            """,
            ("u", userId.ToString()),
            ("b", badge)
        );
}
