using System.Text.Json.Nodes;

namespace Community.Social.Tests;

public sealed class GroupsTests(SocialFixture fx) : IClassFixture<SocialFixture>
{
    [Fact]
    public async Task A_group_is_created_found_edited_and_deleted_by_its_owner()
    {
        var (ownerId, owner, _) = await fx.RegisteredAsync();
        var (_, other, _) = await fx.RegisteredAsync();
        var created = await (
            await fx.Client.PostJson(
                "/api/v1/groups",
                new
                {
                    name = "  Fitness Buddies ",
                    description = "Morning runs",
                    category = "Sports",
                    tags = new[] { "Running", "outdoors", "running" },
                    region = "Dubai Marina",
                    interest = "Fitness",
                    image_url = "https://cdn.example/g.jpg",
                    color = "#3366FF",
                    visibility = "public",
                    join_policy = "open",
                },
                owner
            )
        ).AssertStatus(201);
        var id = created["id"]!.GetValue<string>();
        Assert.Equal("Fitness Buddies", created["name"]!.GetValue<string>());
        Assert.Equal("sports", created["category"]!.GetValue<string>());
        Assert.Equal(["running", "outdoors"], created["tags"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal("fitness", created["interest"]!.GetValue<string>());
        Assert.Equal("#3366ff", created["color"]!.GetValue<string>());
        Assert.Equal(1, created["member_count"]!.GetValue<int>());
        Assert.Equal("owner", created["my_role"]!.GetValue<string>());
        Assert.Equal(ownerId.ToString(), created["owner"]!["user_id"]!.GetValue<string>());
        Assert.Equal(0L, created["price_cents"]!.GetValue<long>());
        Assert.Equal(1L, await OutboxAsync(nameof(GroupCreated), id));
        var announced = JsonNode.Parse(
            (
                await fx.ScalarAsync<string>(
                    """
                    SELECT payload::text FROM outbox_messages WHERE type LIKE '%.GroupCreated,%'
                        AND payload->>'groupId' = @v
                    """,
                    ("v", id)
                )
            )!
        )!;
        Assert.Equal("Dubai Marina", announced["region"]!.GetValue<string>());
        Assert.Equal(
            ["fitness", "running", "outdoors"],
            announced["interests"]!.AsArray().Select(n => n!.GetValue<string>())
        );
        Assert.Equal(1L, await OutboxAsync(nameof(GroupMemberJoined), id));

        var seen = await (await fx.Client.Get($"/api/v1/groups/{id}", other)).AssertStatus(200);
        Assert.Equal("none", seen["membership_status"]!.GetValue<string>());
        Assert.Null(seen["my_role"]);

        // A merge patch: absent keeps, null clears; only owner and moderators.
        await (
            await fx.Client.SendJson(HttpMethod.Patch, $"/api/v1/groups/{id}", new { name = "Taken over" }, other)
        ).AssertProblem(403);
        var patched = await (
            await fx.Client.SendJson(
                HttpMethod.Patch,
                $"/api/v1/groups/{id}",
                new JsonObject { ["description"] = "Evening runs", ["color"] = null },
                owner
            )
        ).AssertStatus(200);
        Assert.Equal("Fitness Buddies", patched["name"]!.GetValue<string>());
        Assert.Equal("Evening runs", patched["description"]!.GetValue<string>());
        Assert.Null(patched["color"]);
        Assert.Equal(
            1L,
            await fx.ScalarAsync<long>(
                """
                SELECT count(*) FROM outbox_messages WHERE type LIKE '%.GroupUpdated,%' AND payload->>'groupId' = @id
                    AND payload->'changedFields' @> '["description","color"]'
                """,
                ("id", id)
            )
        );
        var unknown = await (
            await fx.Client.SendJson(HttpMethod.Patch, $"/api/v1/groups/{id}", new { member_count = 99 }, owner)
        ).AssertProblem(400);
        Assert.NotNull(unknown["errors"]!["member_count"]);

        await (await fx.Client.SendJson(HttpMethod.Delete, $"/api/v1/groups/{id}", null, other)).AssertProblem(403);
        await (await fx.Client.SendJson(HttpMethod.Delete, $"/api/v1/groups/{id}", null, owner)).AssertStatus(204);
        Assert.Equal(1L, await OutboxAsync(nameof(GroupDeleted), id));
        await (await fx.Client.Get($"/api/v1/groups/{id}", owner)).AssertProblem(404);
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM group_members WHERE group_id = @id",
                ("id", Guid.Parse(id))
            )
        );
    }

    [Fact]
    public async Task Every_field_is_validated()
    {
        var (_, me, _) = await fx.RegisteredAsync();
        var bad = await (
            await fx.Client.PostJson(
                "/api/v1/groups",
                new
                {
                    name = "ab",
                    description = new string('x', 2001),
                    category = new string('c', 41),
                    tags = Enumerable.Range(0, 11).Select(i => "t" + i).ToArray(),
                    region = new string('r', 101),
                    interest = new string('i', 41),
                    image_url = "ftp://example.com/x.png",
                    color = "blue",
                    visibility = "hidden",
                    join_policy = "anyone",
                    price_cents = -1,
                    currency = "euro",
                },
                me
            )
        ).AssertProblem(400);
        foreach (
            var field in new[]
            {
                "name",
                "description",
                "category",
                "tags",
                "region",
                "interest",
                "image_url",
                "color",
                "visibility",
                "join_policy",
                "price_cents",
                "currency",
            }
        )
            Assert.True(bad["errors"]![field] is not null, $"{field} was not refused");
        var missing = await (
            await fx.Client.PostJson("/api/v1/groups", new { description = "no name" }, me)
        ).AssertProblem(400);
        Assert.NotNull(missing["errors"]!["name"]);
        var noCurrency = await (
            await fx.Client.PostJson("/api/v1/groups", new { name = "Paid club", price_cents = 500 }, me)
        ).AssertProblem(400);
        Assert.NotNull(noCurrency["errors"]!["currency"]);
        // Three capital letters are not enough: the code must be a currency (the same rule as events and courses).
        var madeUp = await (
            await fx.Client.PostJson(
                "/api/v1/groups",
                new
                {
                    name = "Paid club",
                    price_cents = 500,
                    currency = "XQZ",
                },
                me
            )
        ).AssertProblem(400);
        Assert.NotNull(madeUp["errors"]!["currency"]);
        var emptyTag = await (
            await fx.Client.PostJson("/api/v1/groups", new { name = "Tagged", tags = new[] { " " } }, me)
        ).AssertProblem(400);
        Assert.NotNull(emptyTag["errors"]!["tags"]);
        var unknown = await (
            await fx.Client.PostJson("/api/v1/groups", new { name = "Sneaky", owner_id = Guid.NewGuid() }, me)
        ).AssertProblem(400);
        Assert.NotNull(unknown["errors"]!["owner_id"]);

        var query = await (
            await fx.Client.Get(
                $"/api/v1/groups?page=0&limit=500&q={new string('q', 101)}&tag={new string('t', 31)}",
                me
            )
        ).AssertProblem(400);
        foreach (var field in new[] { "page", "limit", "q", "tag" })
            Assert.NotNull(query["errors"]![field]);
        var group = await GroupsFlow.CreateAsync(fx, me);
        var members = await (
            await fx.Client.Get($"/api/v1/groups/{group}/members?role=admin&cursor=zz", me)
        ).AssertProblem(400);
        Assert.NotNull(members["errors"]!["role"]);
        Assert.NotNull(members["errors"]!["cursor"]);
        var reason = await (
            await fx.Client.PostJson($"/api/v1/groups/{group}/join", new { reason = new string('x', 501) }, me)
        ).AssertProblem(400);
        Assert.NotNull(reason["errors"]!["reason"]);
        var invite = await (await fx.Client.PostJson($"/api/v1/groups/{group}/invitations", new { }, me)).AssertProblem(
            400
        );
        Assert.NotNull(invite["errors"]!["user_id"]);
        var (otherId, _, _) = await fx.RegisteredAsync();
        var role = await (
            await fx.Client.SendJson(
                HttpMethod.Patch,
                $"/api/v1/groups/{group}/members/{otherId}",
                new { role = "admin" },
                me
            )
        ).AssertProblem(400);
        Assert.NotNull(role["errors"]!["role"]);
        await (await fx.Client.Get($"/api/v1/groups/{Guid.NewGuid()}", me)).AssertProblem(404);
    }

    [Fact]
    public async Task Explore_filters_and_pages_with_a_total_and_never_lists_secret_groups_to_outsiders()
    {
        var (_, owner, _) = await fx.RegisteredAsync();
        var (_, viewer, _) = await fx.RegisteredAsync();
        var tag = "t" + Guid.NewGuid().ToString("N")[..8];
        var open = await GroupsFlow.CreateAsync(
            fx,
            owner,
            name: "Chess Club " + tag,
            tags: [tag],
            region: "Deira",
            category: "games",
            interest: "chess"
        );
        var closed = await GroupsFlow.CreateAsync(
            fx,
            owner,
            name: "Quiet Chess " + tag,
            tags: [tag],
            visibility: "private",
            region: "Deira"
        );
        var secret = await GroupsFlow.CreateAsync(
            fx,
            owner,
            name: "Hidden Chess " + tag,
            tags: [tag],
            visibility: "secret"
        );

        var all = await (await fx.Client.Get($"/api/v1/groups?tag={tag}", viewer)).AssertStatus(200);
        Assert.Equal(2, all["total"]!.GetValue<int>());
        Assert.Equal(
            new[] { open, closed }.Order(),
            all["items"]!.AsArray().Select(n => n!["id"]!.GetValue<string>()).Order()
        );
        var mine = await (await fx.Client.Get($"/api/v1/groups?tag={tag}", owner)).AssertStatus(200);
        Assert.Equal(3, mine["total"]!.GetValue<int>());
        await (await fx.Client.Get($"/api/v1/groups/{secret}", viewer)).AssertProblem(404);

        Assert.Equal(
            open,
            Single(await (await fx.Client.Get($"/api/v1/groups?tag={tag}&category=GAMES", viewer)).AssertStatus(200))
        );
        Assert.Equal(
            open,
            Single(await (await fx.Client.Get($"/api/v1/groups?tag={tag}&interest=chess", viewer)).AssertStatus(200))
        );
        Assert.Equal(
            closed,
            Single(await (await fx.Client.Get($"/api/v1/groups?q=quiet%20chess%20{tag}", viewer)).AssertStatus(200))
        );
        Assert.Equal(
            2,
            (await (await fx.Client.Get($"/api/v1/groups?tag={tag}&region=deira", viewer)).AssertStatus(200))[
                "total"
            ]!.GetValue<int>()
        );
        var first = await (await fx.Client.Get($"/api/v1/groups?tag={tag}&limit=1&page=2", viewer)).AssertStatus(200);
        Assert.Single(first["items"]!.AsArray());
        Assert.Equal(2, first["pages"]!.GetValue<int>());
    }

    [Fact]
    public async Task Join_policies_open_request_invite_and_paid()
    {
        var (_, owner, _) = await fx.RegisteredAsync();
        var (userId, user, _) = await fx.RegisteredAsync();
        var open = await GroupsFlow.CreateAsync(fx, owner);
        // The body (a reason) is optional.
        var joined = await (
            await fx.Client.SendJson(HttpMethod.Post, $"/api/v1/groups/{open}/join", null, user)
        ).AssertStatus(201);
        Assert.Equal("member", joined["status"]!.GetValue<string>());
        Assert.Equal(2, joined["member_count"]!.GetValue<int>());
        await (await fx.Client.PostJson($"/api/v1/groups/{open}/join", new { }, user)).AssertStatus(200);
        Assert.Equal(
            1L,
            await fx.ScalarAsync<long>(
                """
                SELECT count(*) FROM outbox_messages WHERE type LIKE '%.GroupMemberJoined,%'
                    AND payload->>'groupId' = @g AND payload->>'userId' = @u
                """,
                ("g", open),
                ("u", userId.ToString())
            )
        );

        var byRequest = await GroupsFlow.CreateAsync(fx, owner, policy: "request");
        var pending = await (
            await fx.Client.PostJson($"/api/v1/groups/{byRequest}/join", new { reason = "I run daily" }, user)
        ).AssertStatus(202);
        Assert.Equal("pending", pending["status"]!.GetValue<string>());
        Assert.Equal(1, pending["member_count"]!.GetValue<int>());
        Assert.Equal(
            "pending",
            (await (await fx.Client.Get($"/api/v1/groups/{byRequest}", user)).AssertStatus(200))[
                "membership_status"
            ]!.GetValue<string>()
        );
        var requests = await (
            await fx.Client.Get($"/api/v1/groups/{byRequest}/members?role=pending", owner)
        ).AssertStatus(200);
        Assert.Equal("I run daily", Assert.Single(requests["items"]!.AsArray())!["reason"]!.GetValue<string>());
        await (await fx.Client.Get($"/api/v1/groups/{byRequest}/members?role=pending", user)).AssertProblem(403);
        await (
            await fx.Client.PostJson($"/api/v1/groups/{byRequest}/requests/{userId}/approve", new { }, user)
        ).AssertProblem(403);
        var approved = await (
            await fx.Client.PostJson($"/api/v1/groups/{byRequest}/requests/{userId}/approve", new { }, owner)
        ).AssertStatus(200);
        Assert.Equal(2, approved["member_count"]!.GetValue<int>());

        var (otherId, other, _) = await fx.RegisteredAsync();
        await (await fx.Client.PostJson($"/api/v1/groups/{byRequest}/join", new { }, other)).AssertStatus(202);
        await (
            await fx.Client.PostJson($"/api/v1/groups/{byRequest}/requests/{otherId}/reject", new { }, owner)
        ).AssertStatus(204);
        await (
            await fx.Client.PostJson($"/api/v1/groups/{byRequest}/requests/{otherId}/reject", new { }, owner)
        ).AssertProblem(404);
        await (
            await fx.Client.PostJson($"/api/v1/groups/{byRequest}/requests/{otherId}/approve", new { }, owner)
        ).AssertProblem(404);

        var byInvite = await GroupsFlow.CreateAsync(fx, owner, policy: "invite");
        await (await fx.Client.PostJson($"/api/v1/groups/{byInvite}/join", new { }, other)).AssertProblem(403);
        await (
            await fx.Client.PostJson($"/api/v1/groups/{byInvite}/invitations", new { user_id = otherId }, user)
        ).AssertProblem(403);
        await (
            await fx.Client.PostJson($"/api/v1/groups/{byInvite}/invitations", new { user_id = otherId }, owner)
        ).AssertStatus(201);
        await (
            await fx.Client.PostJson($"/api/v1/groups/{byInvite}/invitations", new { user_id = otherId }, owner)
        ).AssertStatus(200);
        Assert.Equal(
            "invited",
            (await (await fx.Client.Get($"/api/v1/groups/{byInvite}", other)).AssertStatus(200))[
                "membership_status"
            ]!.GetValue<string>()
        );
        await (await fx.Client.PostJson($"/api/v1/groups/{byInvite}/join", new { }, other)).AssertStatus(201);
        await (
            await fx.Client.PostJson($"/api/v1/groups/{byInvite}/invitations", new { user_id = otherId }, owner)
        ).AssertProblem(409);

        var paid = await GroupsFlow.CreateAsync(fx, owner, priceCents: 1500, currency: "aed");
        var payment = await (await fx.Client.PostJson($"/api/v1/groups/{paid}/join", new { }, user)).AssertProblem(402);
        Assert.Equal(1500, payment["price_cents"]!.GetValue<long>());
        Assert.Equal("AED", payment["currency"]!.GetValue<string>());
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM group_members WHERE group_id = @g AND user_id = @u",
                ("g", Guid.Parse(paid)),
                ("u", userId)
            )
        );
    }

    [Fact]
    public async Task Secret_groups_are_404_to_outsiders_everywhere_and_visible_to_the_invited()
    {
        var (_, owner, _) = await fx.RegisteredAsync();
        var (outsiderId, outsider, _) = await fx.RegisteredAsync();
        var secret = await GroupsFlow.CreateAsync(fx, owner, visibility: "secret", policy: "invite");
        var unknown = await (await fx.Client.Get($"/api/v1/groups/{Guid.NewGuid()}", outsider)).AssertProblem(404);
        foreach (
            var (method, url, body) in new (HttpMethod, string, object?)[]
            {
                (HttpMethod.Get, $"/api/v1/groups/{secret}", null),
                (HttpMethod.Patch, $"/api/v1/groups/{secret}", new { name = "Mine now" }),
                (HttpMethod.Delete, $"/api/v1/groups/{secret}", null),
                (HttpMethod.Post, $"/api/v1/groups/{secret}/join", new { }),
                (HttpMethod.Post, $"/api/v1/groups/{secret}/leave", new { }),
                (HttpMethod.Get, $"/api/v1/groups/{secret}/members", null),
                (HttpMethod.Post, $"/api/v1/groups/{secret}/invitations", new { user_id = outsiderId }),
                (HttpMethod.Post, $"/api/v1/groups/{secret}/requests/{outsiderId}/approve", new { }),
                (HttpMethod.Post, $"/api/v1/groups/{secret}/requests/{outsiderId}/reject", new { }),
                (HttpMethod.Patch, $"/api/v1/groups/{secret}/members/{outsiderId}", new { role = "moderator" }),
                (HttpMethod.Delete, $"/api/v1/groups/{secret}/members/{outsiderId}", null),
            }
        )
        {
            var hidden = await (await fx.Client.SendJson(method, url, body, outsider)).AssertProblem(404);
            if (url == $"/api/v1/groups/{secret}")
                Assert.Equal(unknown["detail"]!.GetValue<string>(), hidden["detail"]!.GetValue<string>());
        }
        await (
            await fx.Client.PostJson($"/api/v1/groups/{secret}/invitations", new { user_id = outsiderId }, owner)
        ).AssertStatus(201);
        await (await fx.Client.Get($"/api/v1/groups/{secret}", outsider)).AssertStatus(200);
        // Invited is not listed: explore shows secret groups to members only.
        Assert.DoesNotContain(
            secret,
            (await (await fx.Client.Get("/api/v1/groups?limit=100", outsider)).AssertStatus(200))["items"]!
                .AsArray()
                .Select(n => n!["id"]!.GetValue<string>())
        );
        await (await fx.Client.PostJson($"/api/v1/groups/{secret}/join", new { }, outsider)).AssertStatus(201);
        Assert.Contains(
            secret,
            (await (await fx.Client.Get("/api/v1/groups/mine", outsider)).AssertStatus(200))["items"]!
                .AsArray()
                .Select(n => n!["id"]!.GetValue<string>())
        );
    }

    [Fact]
    public async Task Private_groups_show_their_members_to_members_only()
    {
        var (_, owner, _) = await fx.RegisteredAsync();
        var (_, outsider, _) = await fx.RegisteredAsync();
        var closed = await GroupsFlow.CreateAsync(fx, owner, visibility: "private");
        await (await fx.Client.Get($"/api/v1/groups/{closed}", outsider)).AssertStatus(200);
        await (await fx.Client.Get($"/api/v1/groups/{closed}/members", outsider)).AssertProblem(403);
        Assert.Single(
            (await (await fx.Client.Get($"/api/v1/groups/{closed}/members", owner)).AssertStatus(200))[
                "items"
            ]!.AsArray()
        );
    }

    [Fact]
    public async Task Owner_and_moderator_rules()
    {
        var (ownerId, owner, _) = await fx.RegisteredAsync();
        var (modId, mod, _) = await fx.RegisteredAsync();
        var (memberId, member, _) = await fx.RegisteredAsync();
        var (otherId, other, _) = await fx.RegisteredAsync();
        var id = await GroupsFlow.CreateAsync(fx, owner);
        foreach (var token in new[] { mod, member, other })
            await (await fx.Client.PostJson($"/api/v1/groups/{id}/join", new { }, token)).AssertStatus(201);

        // Only the owner changes roles; the owner's own role only by handing over.
        await (
            await fx.Client.SendJson(
                HttpMethod.Patch,
                $"/api/v1/groups/{id}/members/{modId}",
                new { role = "moderator" },
                member
            )
        ).AssertProblem(403);
        var promoted = await (
            await fx.Client.SendJson(
                HttpMethod.Patch,
                $"/api/v1/groups/{id}/members/{modId}",
                new { role = "moderator" },
                owner
            )
        ).AssertStatus(200);
        Assert.Equal("moderator", promoted["role"]!.GetValue<string>());
        await (
            await fx.Client.SendJson(
                HttpMethod.Patch,
                $"/api/v1/groups/{id}/members/{ownerId}",
                new { role = "member" },
                owner
            )
        ).AssertProblem(422);
        await (
            await fx.Client.SendJson(
                HttpMethod.Patch,
                $"/api/v1/groups/{id}/members/{Guid.NewGuid()}",
                new { role = "member" },
                owner
            )
        ).AssertProblem(404);
        await (
            await fx.Client.SendJson(
                HttpMethod.Patch,
                $"/api/v1/groups/{id}/members/{memberId}",
                new { role = "moderator" },
                mod
            )
        ).AssertProblem(403);
        var moderators = await (
            await fx.Client.Get($"/api/v1/groups/{id}/members?role=moderator", member)
        ).AssertStatus(200);
        Assert.Equal(
            modId.ToString(),
            Assert.Single(moderators["items"]!.AsArray())!["user"]!["user_id"]!.GetValue<string>()
        );
        var firstPage = await (await fx.Client.Get($"/api/v1/groups/{id}/members?limit=3", member)).AssertStatus(200);
        var lastPage = await (
            await fx.Client.Get($"/api/v1/groups/{id}/members?limit=3&cursor={firstPage["next_cursor"]}", member)
        ).AssertStatus(200);
        Assert.Null(lastPage["next_cursor"]);
        Assert.Equal(
            new[] { ownerId, modId, memberId, otherId }.Select(g => g.ToString()).Order(),
            firstPage["items"]!
                .AsArray()
                .Concat(lastPage["items"]!.AsArray())
                .Select(n => n!["user"]!["user_id"]!.GetValue<string>())
                .Order()
        );

        // Moderators edit the group and remove members, never the owner, and not other moderators.
        await (
            await fx.Client.SendJson(HttpMethod.Patch, $"/api/v1/groups/{id}", new { description = "Moderated" }, mod)
        ).AssertStatus(200);
        await (await fx.Client.SendJson(HttpMethod.Delete, $"/api/v1/groups/{id}", null, mod)).AssertProblem(403);
        await (
            await fx.Client.SendJson(HttpMethod.Delete, $"/api/v1/groups/{id}/members/{ownerId}", null, mod)
        ).AssertProblem(422);
        await (
            await fx.Client.SendJson(HttpMethod.Delete, $"/api/v1/groups/{id}/members/{otherId}", null, member)
        ).AssertProblem(403);
        await (
            await fx.Client.SendJson(HttpMethod.Delete, $"/api/v1/groups/{id}/members/{otherId}", null, mod)
        ).AssertStatus(204);
        await (
            await fx.Client.SendJson(HttpMethod.Delete, $"/api/v1/groups/{id}/members/{otherId}", null, mod)
        ).AssertProblem(404);
        Assert.Equal(
            1L,
            await fx.ScalarAsync<long>(
                """
                SELECT count(*) FROM outbox_messages WHERE type LIKE '%.GroupMemberLeft,%' AND payload->>'groupId' = @g
                    AND payload->>'userId' = @u
                """,
                ("g", id),
                ("u", otherId.ToString())
            )
        );
        Assert.Equal(3, await MemberCountAsync(id));

        // The owner cannot leave until they hand over; then they stay on as a moderator and may leave.
        await (await fx.Client.PostJson($"/api/v1/groups/{id}/leave", new { }, owner)).AssertProblem(409);
        await (
            await fx.Client.SendJson(
                HttpMethod.Patch,
                $"/api/v1/groups/{id}/members/{memberId}",
                new { role = "owner" },
                owner
            )
        ).AssertStatus(200);
        var group = await (await fx.Client.Get($"/api/v1/groups/{id}", owner)).AssertStatus(200);
        Assert.Equal(memberId.ToString(), group["owner"]!["user_id"]!.GetValue<string>());
        Assert.Equal("moderator", group["my_role"]!.GetValue<string>());
        await (await fx.Client.PostJson($"/api/v1/groups/{id}/leave", new { }, owner)).AssertStatus(204);
        await (await fx.Client.PostJson($"/api/v1/groups/{id}/leave", new { }, owner)).AssertStatus(204);
        await (await fx.Client.SendJson(HttpMethod.Delete, $"/api/v1/groups/{id}", null, member)).AssertStatus(204);
    }

    [Fact]
    public async Task Members_lists_hide_blocked_people_both_ways_and_invitations_across_a_block_are_422()
    {
        var (ownerId, owner, _) = await fx.RegisteredAsync();
        var (blockerId, blocker, _) = await fx.RegisteredAsync();
        var (blockedId, blocked, _) = await fx.RegisteredAsync();
        var (_, third, _) = await fx.RegisteredAsync();
        var id = await GroupsFlow.CreateAsync(fx, owner);
        foreach (var token in new[] { blocker, blocked, third })
            await (await fx.Client.PostJson($"/api/v1/groups/{id}/join", new { }, token)).AssertStatus(201);
        await (await fx.Client.SendJson(HttpMethod.Put, $"/api/v1/blocks/{blockedId}", null, blocker)).AssertStatus(
            204
        );

        Assert.DoesNotContain(blockedId.ToString(), await MemberIdsAsync(id, blocker));
        Assert.DoesNotContain(blockerId.ToString(), await MemberIdsAsync(id, blocked));
        Assert.Equal(4, (await MemberIdsAsync(id, third)).Count);

        await (
            await fx.Client.PostJson($"/api/v1/groups/{id}/invitations", new { user_id = blockedId }, blocker)
        ).AssertProblem(422);
        await (
            await fx.Client.PostJson($"/api/v1/groups/{id}/invitations", new { user_id = blockerId }, blocked)
        ).AssertProblem(422);
        await (
            await fx.Client.PostJson($"/api/v1/groups/{id}/invitations", new { user_id = ownerId }, owner)
        ).AssertProblem(422);

        // The blocked person's own group stays visible to the blocker, without its owner.
        var theirs = await GroupsFlow.CreateAsync(fx, blocked);
        var seen = await (await fx.Client.Get($"/api/v1/groups/{theirs}", blocker)).AssertStatus(200);
        Assert.Null(seen["owner"]);
    }

    private static string Single(JsonNode page) => Assert.Single(page["items"]!.AsArray())!["id"]!.GetValue<string>();

    private async Task<List<string>> MemberIdsAsync(string groupId, string token) =>
        (await (await fx.Client.Get($"/api/v1/groups/{groupId}/members", token)).AssertStatus(200))["items"]!
            .AsArray()
            .Select(n => n!["user"]!["user_id"]!.GetValue<string>())
            .ToList();

    private Task<int> MemberCountAsync(string groupId) =>
        fx.ScalarAsync<int>("SELECT member_count FROM groups WHERE id = @id", ("id", Guid.Parse(groupId)));

    private Task<long> OutboxAsync(string type, string groupId) =>
        fx.ScalarAsync<long>(
            $"SELECT count(*) FROM outbox_messages WHERE type LIKE '%.{type},%' AND payload->>'groupId' = @v",
            ("v", groupId)
        );
}

/// <summary>Creating groups in tests.</summary>
public static class GroupsFlow
{
    public static async Task<string> CreateAsync(
        SocialFixture fx,
        string token,
        string? name = null,
        string visibility = "public",
        string policy = "open",
        string[]? tags = null,
        string? region = null,
        string? category = null,
        string? interest = null,
        long priceCents = 0,
        string? currency = null
    )
    {
        var body = new
        {
            name = name ?? "Group " + Guid.NewGuid().ToString("N")[..8],
            visibility,
            join_policy = policy,
            tags = tags ?? [],
            region,
            category,
            interest,
            price_cents = priceCents,
            currency,
        };
        return (await (await fx.Client.PostJson("/api/v1/groups", body, token)).AssertStatus(201))[
            "id"
        ]!.GetValue<string>();
    }
}
