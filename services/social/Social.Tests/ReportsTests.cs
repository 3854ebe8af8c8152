using System.Net;

namespace Community.Social.Tests;

public sealed class ReportsTests(SocialFixture fx) : IClassFixture<SocialFixture>
{
    private string Admin() => fx.User(Roles.Admin).Token;

    [Fact]
    public async Task A_report_waits_in_the_admin_queue_until_an_admin_resolves_it_once()
    {
        var (reporterId, reporter, _) = await fx.RegisteredAsync();
        var (targetId, target, _) = await fx.RegisteredAsync();
        var filed = await (
            await fx.Client.PostJson(
                "/api/v1/reports",
                new
                {
                    target_type = "user",
                    target_id = targetId,
                    category = "harassment",
                    comment = "Keeps messaging me.",
                },
                reporter
            )
        ).AssertStatus(201);
        Assert.Equal("open", filed["status"]!.GetValue<string>());
        Assert.Equal(reporterId.ToString(), filed["reporter_id"]!.GetValue<string>());
        var id = filed["id"]!.GetValue<string>();
        // The same target again while the first is open is 409;
        // another target is a new report, and a group that does not exist is no target.
        await (
            await fx.Client.PostJson(
                "/api/v1/reports",
                new
                {
                    target_type = "user",
                    target_id = targetId,
                    category = "spam",
                },
                reporter
            )
        ).AssertProblem(409);
        await (
            await fx.Client.PostJson(
                "/api/v1/reports",
                new
                {
                    target_type = "group",
                    target_id = targetId,
                    category = "spam",
                },
                reporter
            )
        ).AssertProblem(404);
        await (
            await fx.Client.PostJson(
                "/api/v1/reports",
                new
                {
                    target_type = "group",
                    target_id = await GroupsFlow.CreateAsync(fx, target),
                    category = "spam",
                },
                reporter
            )
        ).AssertStatus(201);
        await (
            await fx.Client.PostJson(
                "/api/v1/reports",
                new
                {
                    target_type = "message",
                    target_id = Guid.NewGuid(),
                    category = "hate",
                },
                reporter
            )
        ).AssertStatus(201);

        // Members see no queue and resolve nothing, not even the reporter or the reported.
        foreach (var member in new[] { reporter, target })
        {
            await (await fx.Client.Get("/api/v1/reports", member)).AssertProblem(403);
            await (
                await fx.Client.PostJson($"/api/v1/reports/{id}/resolve", new { action = "dismiss" }, member)
            ).AssertProblem(403);
        }
        var admin = Admin();
        Assert.Contains(id, await QueueAsync("open", admin));

        var resolved = await (
            await fx.Client.PostJson(
                $"/api/v1/reports/{id}/resolve",
                new { action = "warn", note = "First warning." },
                admin
            )
        ).AssertStatus(200);
        Assert.Equal("resolved", resolved["status"]!.GetValue<string>());
        Assert.Equal("warn", resolved["action"]!.GetValue<string>());
        Assert.Equal(
            1L,
            await fx.ScalarAsync<long>(
                $"""
                SELECT count(*) FROM outbox_messages WHERE type LIKE '%.{nameof(ReportResolved)},%'
                    AND payload->>'reportId' = @id AND payload->>'action' = 'warn'
                """,
                ("id", id)
            )
        );
        await (
            await fx.Client.PostJson($"/api/v1/reports/{id}/resolve", new { action = "dismiss" }, admin)
        ).AssertProblem(409);
        await (
            await fx.Client.PostJson($"/api/v1/reports/{Guid.NewGuid()}/resolve", new { action = "dismiss" }, admin)
        ).AssertProblem(404);
        Assert.DoesNotContain(id, await QueueAsync("open", admin));
        Assert.Contains(id, await QueueAsync("resolved", admin));

        // Once resolved, the same target may be reported again.
        await (
            await fx.Client.PostJson(
                "/api/v1/reports",
                new
                {
                    target_type = "user",
                    target_id = targetId,
                    category = "spam",
                },
                reporter
            )
        ).AssertStatus(201);
    }

    [Fact]
    public async Task The_queue_pages_oldest_open_report_first()
    {
        var (_, reporter, _) = await fx.RegisteredAsync();
        var filed = new List<string>();
        for (var i = 0; i < 3; i++)
            filed.Add(
                (
                    await (
                        await fx.Client.PostJson(
                            "/api/v1/reports",
                            new
                            {
                                target_type = "event",
                                target_id = Guid.NewGuid(),
                                category = "spam",
                            },
                            reporter
                        )
                    ).AssertStatus(201)
                )["id"]!.GetValue<string>()
            );
        var admin = Admin();
        var seen = new List<string>();
        string? cursor = null;
        do
        {
            var page = await (
                await fx.Client.Get(
                    "/api/v1/reports?status=open&limit=2" + (cursor is null ? "" : "&cursor=" + cursor),
                    admin
                )
            ).AssertStatus(200);
            seen.AddRange(page["items"]!.AsArray().Select(n => n!["id"]!.GetValue<string>()));
            cursor = page["next_cursor"]?.GetValue<string>();
        } while (cursor is not null);
        Assert.Equal(filed, seen.Where(filed.Contains).ToList());
        Assert.Equal(seen.Order(StringComparer.Ordinal).ToList(), seen);
    }

    [Fact]
    public async Task Bad_reports_and_resolutions_are_refused_with_the_right_problem()
    {
        var (meId, me, _) = await fx.RegisteredAsync();
        var empty = await (await fx.Client.PostJson("/api/v1/reports", new { }, me)).AssertProblem(400);
        foreach (var field in new[] { "target_type", "target_id", "category" })
            Assert.NotNull(empty["errors"]![field]);
        var wrong = await (
            await fx.Client.PostJson(
                "/api/v1/reports",
                new
                {
                    target_type = "planet",
                    target_id = Guid.NewGuid(),
                    category = "rudeness",
                    comment = new string('x', 2001),
                },
                me
            )
        ).AssertProblem(400);
        foreach (var field in new[] { "target_type", "category", "comment" })
            Assert.NotNull(wrong["errors"]![field]);
        var other = await (
            await fx.Client.PostJson(
                "/api/v1/reports",
                new
                {
                    target_type = "event",
                    target_id = Guid.NewGuid(),
                    category = "other",
                },
                me
            )
        ).AssertProblem(400);
        Assert.NotNull(other["errors"]!["comment"]);
        await (
            await fx.Client.PostJson(
                "/api/v1/reports",
                new
                {
                    target_type = "user",
                    target_id = meId,
                    category = "spam",
                },
                me
            )
        ).AssertProblem(422);
        await (
            await fx.Client.PostJson(
                "/api/v1/reports",
                new
                {
                    target_type = "user",
                    target_id = Guid.NewGuid(),
                    category = "spam",
                },
                me
            )
        ).AssertProblem(404);

        var admin = Admin();
        var id = (
            await (
                await fx.Client.PostJson(
                    "/api/v1/reports",
                    new
                    {
                        target_type = "event",
                        target_id = Guid.NewGuid(),
                        category = "violence",
                    },
                    me
                )
            ).AssertStatus(201)
        )["id"]!.GetValue<string>();
        Assert.NotNull(
            (await (await fx.Client.PostJson($"/api/v1/reports/{id}/resolve", new { }, admin)).AssertProblem(400))[
                "errors"
            ]!["action"]
        );
        var bad = await (
            await fx.Client.PostJson(
                $"/api/v1/reports/{id}/resolve",
                new { action = "ban_forever", note = new string('x', 2001) },
                admin
            )
        ).AssertProblem(400);
        Assert.NotNull(bad["errors"]!["action"]);
        Assert.NotNull(bad["errors"]!["note"]);
        var query = await (
            await fx.Client.Get("/api/v1/reports?status=closed&cursor=zz&limit=500", admin)
        ).AssertProblem(400);
        foreach (var field in new[] { "status", "cursor", "limit" })
            Assert.NotNull(query["errors"]![field]);
        Assert.Equal(
            "open",
            await fx.ScalarAsync<string>("SELECT status FROM reports WHERE id = @id", ("id", Guid.Parse(id)))
        );
    }

    /// <summary>Files a report of an event never reported before (events are taken as they come).</summary>
    private Task<HttpResponseMessage> ReportAnEventAsync(string token) =>
        fx.Client.PostJson(
            "/api/v1/reports",
            new
            {
                target_type = "event",
                target_id = Guid.NewGuid(),
                category = "spam",
            },
            token
        );

    [Fact]
    public async Task A_member_files_a_bounded_number_of_reports_waiting_at_once_and_more_once_some_are_resolved()
    {
        var (_, me, _) = await fx.RegisteredAsync();
        Task<HttpResponseMessage> FileAsync() => ReportAnEventAsync(me);
        string first = null!;
        for (var i = 0; i < Reports.ReportsApi.MaxOpenPerReporter; i++)
        {
            var filed = await (await FileAsync()).AssertStatus(201);
            first ??= filed["id"]!.GetValue<string>();
        }

        var refused = await FileAsync();
        Assert.NotNull(refused.Headers.RetryAfter);
        Assert.Contains("waiting for an admin", (await refused.AssertProblem(429))["detail"]!.GetValue<string>());
        await (
            await fx.Client.PostJson($"/api/v1/reports/{first}/resolve", new { action = "dismiss" }, Admin())
        ).AssertStatus(200);
        await (await FileAsync()).AssertStatus(201);
    }

    [Fact]
    public async Task Reports_sent_at_once_for_different_targets_never_pass_the_open_reports_allowed()
    {
        var (meId, me, _) = await fx.RegisteredAsync();
        Task<HttpResponseMessage> FileAsync() => ReportAnEventAsync(me);
        for (var i = 0; i < Reports.ReportsApi.MaxOpenPerReporter - 2; i++)
            await (await FileAsync()).AssertStatus(201);

        var answers = await Task.WhenAll(Enumerable.Range(0, 30).Select(_ => FileAsync()));

        Assert.Equal(2, answers.Count(a => a.StatusCode == HttpStatusCode.Created));
        Assert.Equal(28, answers.Count(a => a.StatusCode == HttpStatusCode.TooManyRequests));
        Assert.Equal(
            (long)Reports.ReportsApi.MaxOpenPerReporter,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM reports WHERE reporter_id = @me AND status = 'open'",
                ("me", meId)
            )
        );
    }

    [Fact]
    public async Task A_secret_group_is_no_target_for_an_outsider_and_one_for_its_member()
    {
        var (_, owner, _) = await fx.RegisteredAsync();
        var (memberId, member, _) = await fx.RegisteredAsync();
        var (_, outsider, _) = await fx.RegisteredAsync();
        var secret = await GroupsFlow.CreateAsync(fx, owner, visibility: "secret", policy: "invite");
        await (
            await fx.Client.PostJson($"/api/v1/groups/{secret}/invitations", new { user_id = memberId }, owner)
        ).AssertStatus(201);
        await (await fx.Client.PostJson($"/api/v1/groups/{secret}/join", new { }, member)).AssertStatus(201);
        Task<HttpResponseMessage> ReportAsync(object group, string token) =>
            fx.Client.PostJson(
                "/api/v1/reports",
                new
                {
                    target_type = "group",
                    target_id = group,
                    category = "spam",
                },
                token
            );

        // The outsider is told what a group that does not exist tells: nothing about this one.
        var unseen = await (await ReportAsync(secret, outsider)).AssertProblem(404);
        var missing = await (await ReportAsync(Guid.NewGuid(), outsider)).AssertProblem(404);

        Assert.Equal(missing["detail"]!.GetValue<string>(), unseen["detail"]!.GetValue<string>());
        await (await ReportAsync(secret, member)).AssertStatus(201);
    }

    [Fact]
    public async Task Two_identical_reports_at_once_end_in_one_report_and_one_conflict()
    {
        var (meId, me, _) = await fx.RegisteredAsync();
        for (var round = 0; round < 5; round++)
        {
            var (targetId, _, _) = await fx.RegisteredAsync();
            var answers = await Task.WhenAll(
                Enumerable
                    .Range(0, 2)
                    .Select(_ =>
                        fx.Client.PostJson(
                            "/api/v1/reports",
                            new
                            {
                                target_type = "user",
                                target_id = targetId,
                                category = "spam",
                            },
                            me
                        )
                    )
            );
            Assert.Equal([201, 409], answers.Select(r => (int)r.StatusCode).Order());
            Assert.Equal(
                1L,
                await fx.ScalarAsync<long>(
                    "SELECT count(*) FROM reports WHERE reporter_id = @me AND target_id = @t",
                    ("me", meId),
                    ("t", targetId)
                )
            );
        }
    }

    [Fact]
    public async Task Two_admins_resolving_at_once_resolve_once()
    {
        var (_, me, _) = await fx.RegisteredAsync();
        var id = (
            await (
                await fx.Client.PostJson(
                    "/api/v1/reports",
                    new
                    {
                        target_type = "group",
                        target_id = await GroupsFlow.CreateAsync(fx, me),
                        category = "sexual",
                    },
                    me
                )
            ).AssertStatus(201)
        )["id"]!.GetValue<string>();
        var answers = await Task.WhenAll(
            new[] { "dismiss", "remove_content" }.Select(action =>
                fx.Client.PostJson($"/api/v1/reports/{id}/resolve", new { action }, Admin())
            )
        );
        Assert.Equal([200, 409], answers.Select(r => (int)r.StatusCode).Order());
        Assert.Equal(
            1L,
            await fx.ScalarAsync<long>(
                $"""
                SELECT count(*) FROM outbox_messages WHERE type LIKE '%.{nameof(ReportResolved)},%'
                    AND payload->>'reportId' = @id
                """,
                ("id", id)
            )
        );
    }

    [Fact]
    public async Task A_deleted_account_takes_the_reports_it_filed_along_even_when_the_message_comes_twice()
    {
        var (goneId, gone, _) = await fx.RegisteredAsync();
        var (otherId, other, _) = await fx.RegisteredAsync();
        await (
            await fx.Client.PostJson(
                "/api/v1/reports",
                new
                {
                    target_type = "user",
                    target_id = otherId,
                    category = "spam",
                },
                gone
            )
        ).AssertStatus(201);
        var resolvedId = (
            await (
                await fx.Client.PostJson(
                    "/api/v1/reports",
                    new
                    {
                        target_type = "event",
                        target_id = Guid.NewGuid(),
                        category = "hate",
                    },
                    gone
                )
            ).AssertStatus(201)
        )["id"]!.GetValue<string>();
        await (
            await fx.Client.PostJson($"/api/v1/reports/{resolvedId}/resolve", new { action = "dismiss" }, Admin())
        ).AssertStatus(200);
        // A report about the deleted account is the moderators' record, not the account's data: it stays.
        await (
            await fx.Client.PostJson(
                "/api/v1/reports",
                new
                {
                    target_type = "user",
                    target_id = goneId,
                    category = "harassment",
                },
                other
            )
        ).AssertStatus(201);

        var deleted = new UserDeleted(Guid.NewGuid(), fx.Clock.GetUtcNow(), goneId);
        await fx.DeliverAsync(deleted);
        await fx.PublishAsync(deleted);
        await fx.DeliverAsync(new UserDeleted(Guid.NewGuid(), fx.Clock.GetUtcNow(), goneId));

        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>("SELECT count(*) FROM reports WHERE reporter_id = @id", ("id", goneId))
        );
        Assert.Equal(
            1L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM reports WHERE target_id = @id AND reporter_id = @other",
                ("id", goneId),
                ("other", otherId)
            )
        );
        Assert.Equal(
            1L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM inbox_messages WHERE message_id = @id AND consumer LIKE '%.UserDeletedConsumer'",
                ("id", deleted.MessageId)
            )
        );
    }

    [Fact]
    public async Task A_suspension_carries_its_end_in_the_resolution_and_the_event()
    {
        var (_, reporter, _) = await fx.RegisteredAsync();
        var (targetId, _, _) = await fx.RegisteredAsync();
        var admin = Admin();
        var id = await FileAsync(reporter, "user", targetId);
        var now = fx.Clock.GetUtcNow();
        var until = new DateTimeOffset(now.Year + 1, now.Month, 1, 8, 30, 0, TimeSpan.Zero);
        var resolved = await (
            await fx.Client.PostJson(
                $"/api/v1/reports/{id}/resolve",
                new { action = "suspend_user", suspend_until = until },
                admin
            )
        ).AssertStatus(200);
        Assert.Equal(until, resolved["suspended_until"]!.GetValue<DateTimeOffset>());
        Assert.Equal(
            1L,
            await fx.ScalarAsync<long>(
                $"""
                SELECT count(*) FROM outbox_messages WHERE type LIKE '%.{nameof(ReportResolved)},%'
                    AND payload->>'reportId' = @id AND (payload->>'suspendedUntil')::timestamptz = @until
                """,
                ("id", id),
                ("until", until)
            )
        );

        // Without suspend_until the suspension lasts until lifted: the event says null.
        var (otherId, _, _) = await fx.RegisteredAsync();
        var open = await FileAsync(reporter, "user", otherId);
        var untilLifted = await (
            await fx.Client.PostJson($"/api/v1/reports/{open}/resolve", new { action = "suspend_user" }, admin)
        ).AssertStatus(200);
        Assert.Null(untilLifted["suspended_until"]);
        Assert.Equal(
            1L,
            await fx.ScalarAsync<long>(
                $"""
                SELECT count(*) FROM outbox_messages WHERE type LIKE '%.{nameof(ReportResolved)},%'
                    AND payload->>'reportId' = @id AND payload->>'action' = 'suspend_user'
                    AND payload->'suspendedUntil' = 'null'::jsonb
                """,
                ("id", open)
            )
        );
    }

    [Fact]
    public async Task A_suspension_end_that_is_past_too_far_or_on_the_wrong_report_is_a_400_that_resolves_nothing()
    {
        var (_, reporter, _) = await fx.RegisteredAsync();
        var (targetId, _, _) = await fx.RegisteredAsync();
        var admin = Admin();
        var userReport = await FileAsync(reporter, "user", targetId);
        var groupReport = await FileAsync(reporter, "group", Guid.Parse(await GroupsFlow.CreateAsync(fx, reporter)));
        var now = fx.Clock.GetUtcNow();
        var refused = new (string Id, object Body)[]
        {
            (userReport, new { action = "suspend_user", suspend_until = now.AddMinutes(-1) }),
            (userReport, new { action = "suspend_user", suspend_until = now.AddYears(10).AddDays(1) }),
            (userReport, new { action = "suspend_user", suspend_until = "9999-12-31T23:59:59Z" }),
            (userReport, new { action = "warn", suspend_until = now.AddDays(3) }),
            (groupReport, new { action = "suspend_user", suspend_until = now.AddDays(3) }),
        };
        foreach (var (id, body) in refused)
        {
            var problem = await (await fx.Client.PostJson($"/api/v1/reports/{id}/resolve", body, admin)).AssertProblem(
                400
            );
            Assert.NotNull(problem["errors"]!["suspend_until"]);
        }
        var malformed = await fx.Client.PostJson(
            $"/api/v1/reports/{userReport}/resolve",
            new { action = "suspend_user", suspend_until = "next tuesday" },
            admin
        );
        await malformed.AssertProblem(400);
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM reports WHERE id = ANY(@ids) AND status <> 'open'",
                ("ids", new[] { Guid.Parse(userReport), Guid.Parse(groupReport) })
            )
        );
        // At the bound it is accepted.
        await (
            await fx.Client.PostJson(
                $"/api/v1/reports/{userReport}/resolve",
                new { action = "suspend_user", suspend_until = now.AddYears(10).AddMinutes(-1) },
                admin
            )
        ).AssertStatus(200);
    }

    [Fact]
    public async Task An_admin_does_not_resolve_a_report_about_themselves_or_their_group()
    {
        var (adminId, member, _) = await fx.RegisteredAsync();
        var asAdmin = fx.Tokens.Issue(adminId, Roles.Admin);
        var (_, reporter, _) = await fx.RegisteredAsync();
        var aboutAdmin = await FileAsync(reporter, "user", adminId);
        var groupId = await GroupsFlow.CreateAsync(fx, member);
        var aboutGroup = await FileAsync(reporter, "group", Guid.Parse(groupId));
        var eventId = await SearchFlow.EventAsync(fx, adminId, "My own meetup", EventVisibility.Public);
        var aboutEvent = await FileAsync(reporter, "event", eventId);

        foreach (
            var (id, action) in new[] { (aboutAdmin, "dismiss"), (aboutGroup, "dismiss"), (aboutEvent, "dismiss") }
        )
            await (await fx.Client.PostJson($"/api/v1/reports/{id}/resolve", new { action }, asAdmin)).AssertProblem(
                403
            );
        await (await fx.Client.Get($"/api/v1/groups/{groupId}", member)).AssertStatus(200);
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>(
                $"""
                SELECT count(*) FROM outbox_messages WHERE type LIKE '%.{nameof(ReportResolved)},%'
                    AND payload->>'reportId' IN (@a, @b, @c)
                """,
                ("a", aboutAdmin),
                ("b", aboutGroup),
                ("c", aboutEvent)
            )
        );
        // Another admin resolves them.
        await (
            await fx.Client.PostJson($"/api/v1/reports/{aboutAdmin}/resolve", new { action = "warn" }, Admin())
        ).AssertStatus(200);
    }

    [Fact]
    public async Task Removing_a_reported_group_deletes_it_in_the_resolution_as_its_owner_would()
    {
        var (ownerId, owner, _) = await fx.RegisteredAsync();
        var (_, reporter, _) = await fx.RegisteredAsync();
        var groupId = await GroupsFlow.CreateAsync(fx, owner);
        var id = await FileAsync(reporter, "group", Guid.Parse(groupId));

        var resolved = await (
            await fx.Client.PostJson(
                $"/api/v1/reports/{id}/resolve",
                new { action = "remove_content", note = "Recruits for a pyramid scheme." },
                Admin()
            )
        ).AssertStatus(200);
        Assert.Equal("remove_content", resolved["action"]!.GetValue<string>());

        await (await fx.Client.Get($"/api/v1/groups/{groupId}", owner)).AssertProblem(404);
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM group_members WHERE group_id = @id",
                ("id", Guid.Parse(groupId))
            )
        );
        Assert.Equal(
            1L,
            await fx.ScalarAsync<long>(
                $"""
                SELECT count(*) FROM outbox_messages WHERE type LIKE '%.{nameof(GroupDeleted)},%'
                    AND payload->>'groupId' = @id
                """,
                ("id", groupId)
            )
        );
        // The resolution names the owner, whom messaging warns on a warn.
        Assert.Equal(
            ownerId.ToString(),
            await fx.ScalarAsync<string>(
                $"""
                SELECT payload->>'targetOwnerUserId' FROM outbox_messages
                WHERE type LIKE '%.{nameof(ReportResolved)},%' AND payload->>'reportId' = @id
                """,
                ("id", id)
            )
        );
    }

    [Theory]
    [InlineData("group")]
    [InlineData("message")]
    [InlineData("event")]
    public async Task Suspend_user_on_a_report_of_content_is_a_400_that_resolves_nothing(string targetType)
    {
        var (_, reporter, _) = await fx.RegisteredAsync();
        var admin = Admin();
        var target = targetType == "group" ? Guid.Parse(await GroupsFlow.CreateAsync(fx, reporter)) : Guid.NewGuid();
        var id = await FileAsync(reporter, targetType, target);

        // Still open for a resolution that fits content.
        await RefusedThenResolvedAsync(id, admin, "suspend_user", Reports.ReportsApi.NoPersonInContent);
    }

    [Fact]
    public async Task Remove_content_on_a_report_of_a_person_is_a_400_that_resolves_nothing()
    {
        var (_, reporter, _) = await fx.RegisteredAsync();
        var (targetId, _, _) = await fx.RegisteredAsync();
        var admin = Admin();
        var id = await FileAsync(reporter, "user", targetId);

        // Still open for a resolution that fits a person.
        await RefusedThenResolvedAsync(
            id,
            admin,
            "remove_content",
            "remove_content applies to a group, a message or an event; for a person use warn or suspend_user."
        );
    }

    /// <summary>
    /// <paramref name="action"/> on the report is a 400 naming <paramref name="detail"/> that resolves nothing and
    /// announces nothing; a warning then resolves it.
    /// </summary>
    private async Task RefusedThenResolvedAsync(string id, string admin, string action, string detail)
    {
        var problem = await (
            await fx.Client.PostJson($"/api/v1/reports/{id}/resolve", new { action }, admin)
        ).AssertProblem(400);
        Assert.Equal(detail, problem["errors"]!["action"]![0]!.GetValue<string>());
        Assert.Equal(
            "open",
            await fx.ScalarAsync<string>("SELECT status FROM reports WHERE id = @id", ("id", Guid.Parse(id)))
        );
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>(
                $"""
                SELECT count(*) FROM outbox_messages WHERE type LIKE '%.{nameof(ReportResolved)},%'
                    AND payload->>'reportId' = @id
                """,
                ("id", id)
            )
        );
        await (await fx.Client.PostJson($"/api/v1/reports/{id}/resolve", new { action = "warn" }, admin)).AssertStatus(
            200
        );
    }

    private async Task<string> FileAsync(string reporter, string targetType, Guid targetId) =>
        (
            await (
                await fx.Client.PostJson(
                    "/api/v1/reports",
                    new
                    {
                        target_type = targetType,
                        target_id = targetId,
                        category = "harassment",
                    },
                    reporter
                )
            ).AssertStatus(201)
        )["id"]!.GetValue<string>();

    private async Task<List<string>> QueueAsync(string status, string admin)
    {
        var ids = new List<string>();
        string? cursor = null;
        do
        {
            var page = await (
                await fx.Client.Get(
                    $"/api/v1/reports?status={status}&limit=100" + (cursor is null ? "" : "&cursor=" + cursor),
                    admin
                )
            ).AssertStatus(200);
            ids.AddRange(page["items"]!.AsArray().Select(n => n!["id"]!.GetValue<string>()));
            cursor = page["next_cursor"]?.GetValue<string>();
        } while (cursor is not null);
        return ids;
    }
}
