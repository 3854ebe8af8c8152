namespace Community.Social.Tests;

/// <summary>Two users and a stranger try each route on the others' objects: nothing crosses.</summary>
public sealed class AuthorizationSweepTests(SocialFixture fx) : IClassFixture<SocialFixture>
{
    [Fact]
    public async Task A_stranger_cannot_act_on_a_connection_between_two_others()
    {
        var (_, a, _) = await fx.RegisteredAsync();
        var (bId, _, _) = await fx.RegisteredAsync();
        var (_, stranger, _) = await fx.RegisteredAsync();
        var pending = await (await fx.Client.PostJson("/api/v1/connections", new { user_id = bId }, a)).AssertStatus(
            201
        );
        var id = pending["id"]!.GetValue<string>();

        foreach (
            var (method, url) in new[]
            {
                (HttpMethod.Post, $"/api/v1/connections/{id}/accept"),
                (HttpMethod.Post, $"/api/v1/connections/{id}/decline"),
                (HttpMethod.Delete, $"/api/v1/connections/{id}"),
            }
        )
            await (
                await fx.Client.SendJson(method, url, method == HttpMethod.Post ? new { } : null, stranger)
            ).AssertProblem(404);
        // Nor is it in the stranger's lists.
        foreach (
            var query in new[]
            {
                "status=pending",
                "status=pending&direction=incoming",
                "status=pending&direction=outgoing",
                "status=accepted",
            }
        )
            Assert.Empty(
                (await (await fx.Client.Get($"/api/v1/connections?{query}", stranger)).AssertStatus(200))[
                    "items"
                ]!.AsArray()
            );
        // The requester cannot answer their own request.
        await (await fx.Client.PostJson($"/api/v1/connections/{id}/accept", new { }, a)).AssertProblem(403);
        await (await fx.Client.PostJson($"/api/v1/connections/{id}/decline", new { }, a)).AssertProblem(403);
        Assert.Equal(
            "pending",
            await fx.ScalarAsync<string>("SELECT status FROM connections WHERE id = @id", ("id", Guid.Parse(id)))
        );
    }

    [Fact]
    public async Task Blocks_and_follows_are_the_caller_own_only()
    {
        var (aId, a, _) = await fx.RegisteredAsync();
        var (bId, b, _) = await fx.RegisteredAsync();
        var (_, stranger, _) = await fx.RegisteredAsync();
        await (await fx.Client.SendJson(HttpMethod.Put, $"/api/v1/blocks/{bId}", null, a)).AssertStatus(204);
        await (await fx.Client.SendJson(HttpMethod.Put, $"/api/v1/follows/{aId}", null, stranger)).AssertStatus(204);
        // Deleting "their" block or follow from another account touches only the caller's own (none).
        await (await fx.Client.SendJson(HttpMethod.Delete, $"/api/v1/blocks/{bId}", null, stranger)).AssertStatus(204);
        await (await fx.Client.SendJson(HttpMethod.Delete, $"/api/v1/follows/{aId}", null, b)).AssertStatus(204);
        Assert.Equal(
            1L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM blocks WHERE blocker_id = @a AND blocked_id = @b",
                ("a", aId),
                ("b", bId)
            )
        );
        Assert.Equal(1L, await fx.ScalarAsync<long>("SELECT count(*) FROM follows WHERE followed_id = @a", ("a", aId)));
        // Nobody reads another's block list.
        Assert.Empty((await (await fx.Client.Get("/api/v1/blocks", stranger)).AssertStatus(200))["items"]!.AsArray());
        Assert.Empty((await (await fx.Client.Get("/api/v1/blocks", b)).AssertStatus(200))["items"]!.AsArray());
    }

    [Fact]
    public async Task Members_and_strangers_cannot_run_each_other_groups()
    {
        var (aId, a, _) = await fx.RegisteredAsync();
        var (bId, b, _) = await fx.RegisteredAsync();
        var (strangerId, stranger, _) = await fx.RegisteredAsync();
        var ofA = await GroupsFlow.CreateAsync(fx, a, policy: "request");
        var ofB = await GroupsFlow.CreateAsync(fx, b);
        await (await fx.Client.PostJson($"/api/v1/groups/{ofB}/join", new { }, a)).AssertStatus(201);
        await (await fx.Client.PostJson($"/api/v1/groups/{ofA}/join", new { }, stranger)).AssertStatus(202);

        // A member of B's group, the stranger and B each try to run a group that is not theirs.
        foreach (
            var (token, group, target) in new[]
            {
                (a, ofB, bId),
                (stranger, ofB, aId),
                (b, ofA, strangerId),
                (stranger, ofA, aId),
            }
        )
        {
            foreach (
                var (method, url, body) in new (HttpMethod, string, object?)[]
                {
                    (HttpMethod.Patch, $"/api/v1/groups/{group}", new { name = "Mine now" }),
                    (HttpMethod.Delete, $"/api/v1/groups/{group}", null),
                    (HttpMethod.Post, $"/api/v1/groups/{group}/requests/{strangerId}/approve", new { }),
                    (HttpMethod.Post, $"/api/v1/groups/{group}/requests/{strangerId}/reject", new { }),
                    (HttpMethod.Patch, $"/api/v1/groups/{group}/members/{target}", new { role = "moderator" }),
                    (HttpMethod.Delete, $"/api/v1/groups/{group}/members/{target}", null),
                }
            )
                await (await fx.Client.SendJson(method, url, body, token)).AssertProblem(403);
        }
        // Inviting needs membership; the pending request is still there, nobody was removed, nothing was renamed.
        await (await fx.Client.PostJson($"/api/v1/groups/{ofA}/invitations", new { user_id = bId }, b)).AssertProblem(
            403
        );
        Assert.Equal(
            1L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM group_requests WHERE group_id = @g",
                ("g", Guid.Parse(ofA))
            )
        );
        Assert.Equal(
            2,
            await fx.ScalarAsync<int>("SELECT member_count FROM groups WHERE id = @g", ("g", Guid.Parse(ofB)))
        );
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM groups WHERE id IN (@a, @b) AND name = 'Mine now'",
                ("a", Guid.Parse(ofA)),
                ("b", Guid.Parse(ofB))
            )
        );
        // My groups are mine only.
        Assert.DoesNotContain(
            ofA,
            (await (await fx.Client.Get("/api/v1/groups/mine", stranger)).AssertStatus(200))["items"]!
                .AsArray()
                .Select(n => n!["id"]!.GetValue<string>())
        );
    }

    [Fact]
    public async Task Reports_are_read_and_resolved_by_admins_only_and_a_stranger_learns_nothing_of_others_network()
    {
        var (aId, a, _) = await fx.RegisteredAsync();
        var (bId, b, _) = await fx.RegisteredAsync();
        var (_, stranger, _) = await fx.RegisteredAsync();
        var request = await (await fx.Client.PostJson("/api/v1/connections", new { user_id = bId }, a)).AssertStatus(
            201
        );
        await (await fx.Client.PostJson($"/api/v1/connections/{request["id"]}/accept", new { }, b)).AssertStatus(200);
        var report = await (
            await fx.Client.PostJson(
                "/api/v1/reports",
                new
                {
                    target_type = "user",
                    target_id = bId,
                    category = "spam",
                },
                a
            )
        ).AssertStatus(201);

        // Only the admin role in the token opens the queue: member, organizer, reporter and reported are all 403.
        foreach (var token in new[] { a, b, stranger, fx.User(Roles.Organizer).Token })
        {
            await (await fx.Client.Get("/api/v1/reports", token)).AssertProblem(403);
            await (await fx.Client.Get("/api/v1/reports?status=resolved", token)).AssertProblem(403);
            await (
                await fx.Client.PostJson($"/api/v1/reports/{report["id"]}/resolve", new { action = "dismiss" }, token)
            ).AssertProblem(403);
        }
        Assert.Equal(
            "open",
            await fx.ScalarAsync<string>(
                "SELECT status FROM reports WHERE id = @id",
                ("id", Guid.Parse(report["id"]!.GetValue<string>()))
            )
        );

        // The stranger is connected to neither: no path to them, and nobody suggested through them.
        await (await fx.Client.Get($"/api/v1/network/path/{aId}", stranger)).AssertProblem(404);
        Assert.Empty(
            (await (await fx.Client.Get("/api/v1/network/suggestions", stranger)).AssertStatus(200))["items"]!.AsArray()
        );
        // Once b blocks a, a finds no path to b even though they were connected.
        await (await fx.Client.SendJson(HttpMethod.Put, $"/api/v1/blocks/{aId}", null, b)).AssertStatus(204);
        await (await fx.Client.Get($"/api/v1/network/path/{bId}", a)).AssertProblem(404);
    }

    [Fact]
    public async Task Every_route_needs_a_token()
    {
        var id = Guid.NewGuid();
        foreach (
            var (method, url) in new[]
            {
                (HttpMethod.Get, $"/api/v1/profiles/{id}"),
                (HttpMethod.Get, "/api/v1/profiles/by-username/someone"),
                (HttpMethod.Get, "/api/v1/discover"),
                (HttpMethod.Post, "/api/v1/connections"),
                (HttpMethod.Get, "/api/v1/connections"),
                (HttpMethod.Post, $"/api/v1/connections/{id}/accept"),
                (HttpMethod.Post, $"/api/v1/connections/{id}/decline"),
                (HttpMethod.Delete, $"/api/v1/connections/{id}"),
                (HttpMethod.Put, $"/api/v1/follows/{id}"),
                (HttpMethod.Delete, $"/api/v1/follows/{id}"),
                (HttpMethod.Get, "/api/v1/follows/followers"),
                (HttpMethod.Get, "/api/v1/follows/following"),
                (HttpMethod.Put, $"/api/v1/blocks/{id}"),
                (HttpMethod.Delete, $"/api/v1/blocks/{id}"),
                (HttpMethod.Get, "/api/v1/blocks"),
                (HttpMethod.Get, $"/api/v1/profiles/{id}/groups"),
                (HttpMethod.Get, $"/api/v1/profiles/{id}/activity"),
                (HttpMethod.Post, "/api/v1/groups"),
                (HttpMethod.Get, "/api/v1/groups"),
                (HttpMethod.Get, "/api/v1/groups/mine"),
                (HttpMethod.Get, $"/api/v1/groups/{id}"),
                (HttpMethod.Patch, $"/api/v1/groups/{id}"),
                (HttpMethod.Delete, $"/api/v1/groups/{id}"),
                (HttpMethod.Post, $"/api/v1/groups/{id}/join"),
                (HttpMethod.Post, $"/api/v1/groups/{id}/leave"),
                (HttpMethod.Get, $"/api/v1/groups/{id}/members"),
                (HttpMethod.Post, $"/api/v1/groups/{id}/invitations"),
                (HttpMethod.Post, $"/api/v1/groups/{id}/requests/{id}/approve"),
                (HttpMethod.Post, $"/api/v1/groups/{id}/requests/{id}/reject"),
                (HttpMethod.Patch, $"/api/v1/groups/{id}/members/{id}"),
                (HttpMethod.Delete, $"/api/v1/groups/{id}/members/{id}"),
                (HttpMethod.Get, "/api/v1/feed"),
                (HttpMethod.Get, "/api/v1/dashboard"),
                (HttpMethod.Get, $"/api/v1/network/path/{id}"),
                (HttpMethod.Get, "/api/v1/network/suggestions"),
                (HttpMethod.Post, "/api/v1/reports"),
                (HttpMethod.Get, "/api/v1/reports"),
                (HttpMethod.Post, $"/api/v1/reports/{id}/resolve"),
            }
        )
            Assert.True(
                (int)(await fx.Client.SendJson(method, url, null)).StatusCode == 401,
                $"{method} {url} answered without a token"
            );
    }
}
