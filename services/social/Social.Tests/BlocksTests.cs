namespace Community.Social.Tests;

public sealed class BlocksTests(SocialFixture fx) : IClassFixture<SocialFixture>
{
    [Fact]
    public async Task A_block_ends_connections_requests_and_follows_both_ways_and_is_published_once()
    {
        var (aId, a, _) = await fx.RegisteredAsync();
        var (bId, b, _) = await fx.RegisteredAsync();
        var (cId, c, _) = await fx.RegisteredAsync();
        // a and b are connected and follow each other; c asked a to connect.
        var request = await (await fx.Client.PostJson("/api/v1/connections", new { user_id = bId }, a)).AssertStatus(
            201
        );
        await (await fx.Client.PostJson($"/api/v1/connections/{request["id"]}/accept", new { }, b)).AssertStatus(200);
        await (await fx.Client.SendJson(HttpMethod.Put, $"/api/v1/follows/{bId}", null, a)).AssertStatus(204);
        await (await fx.Client.SendJson(HttpMethod.Put, $"/api/v1/follows/{aId}", null, b)).AssertStatus(204);
        var pending = await (await fx.Client.PostJson("/api/v1/connections", new { user_id = aId }, c)).AssertStatus(
            201
        );

        await (await fx.Client.SendJson(HttpMethod.Put, $"/api/v1/blocks/{bId}", null, a)).AssertStatus(204);
        // again: nothing more
        await (await fx.Client.SendJson(HttpMethod.Put, $"/api/v1/blocks/{bId}", null, a)).AssertStatus(204);
        await (await fx.Client.SendJson(HttpMethod.Put, $"/api/v1/blocks/{aId}", null, c)).AssertStatus(204);

        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>(
                """
                SELECT count(*) FROM connections WHERE (requester_id = @a AND addressee_id IN (@b, @c))
                    OR (addressee_id = @a AND requester_id IN (@b, @c))
                """,
                ("a", aId),
                ("b", bId),
                ("c", cId)
            )
        );
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM follows WHERE follower_id IN (@a, @b) AND followed_id IN (@a, @b)",
                ("a", aId),
                ("b", bId)
            )
        );
        Assert.Equal(1L, await OutboxAsync(nameof(UserBlocked), "blockerUserId", aId));
        Assert.Equal(
            1L,
            await OutboxAsync(nameof(ConnectionRemoved), "connectionId", Guid.Parse(request["id"]!.GetValue<string>()))
        );
        Assert.Equal(
            1L,
            await OutboxAsync(nameof(ConnectionRemoved), "connectionId", Guid.Parse(pending["id"]!.GetValue<string>()))
        );

        var list = await (await fx.Client.Get("/api/v1/blocks", a)).AssertStatus(200);
        Assert.Equal(bId.ToString(), Assert.Single(list["items"]!.AsArray())!["user"]!["user_id"]!.GetValue<string>());
        Assert.Null(list["next_cursor"]);
        // The blocked side sees no block of its own, and cannot reach the blocker.
        Assert.Empty((await (await fx.Client.Get("/api/v1/blocks", b)).AssertStatus(200))["items"]!.AsArray());
        await (await fx.Client.PostJson("/api/v1/connections", new { user_id = aId }, b)).AssertProblem(404);
        await (await fx.Client.SendJson(HttpMethod.Put, $"/api/v1/follows/{aId}", null, b)).AssertProblem(404);
        // The blocker is told why: they blocked this person.
        await (await fx.Client.PostJson("/api/v1/connections", new { user_id = bId }, a)).AssertProblem(422);

        await (await fx.Client.SendJson(HttpMethod.Delete, $"/api/v1/blocks/{bId}", null, a)).AssertStatus(204);
        await (await fx.Client.SendJson(HttpMethod.Delete, $"/api/v1/blocks/{bId}", null, a)).AssertStatus(204);
        Assert.Equal(1L, await OutboxAsync(nameof(UserUnblocked), "blockerUserId", aId));
        // Nothing the block ended comes back.
        Assert.Equal(
            "none",
            (await (await fx.Client.Get($"/api/v1/profiles/{bId}", a)).AssertStatus(200))[
                "connection_status"
            ]!.GetValue<string>()
        );
    }

    [Fact]
    public async Task Blocking_yourself_is_422_and_an_unknown_user_404()
    {
        var (meId, me, _) = await fx.RegisteredAsync();
        await (await fx.Client.SendJson(HttpMethod.Put, $"/api/v1/blocks/{meId}", null, me)).AssertProblem(422);
        await (await fx.Client.SendJson(HttpMethod.Put, $"/api/v1/blocks/{Guid.NewGuid()}", null, me)).AssertProblem(
            404
        );
    }

    [Fact]
    public async Task Someone_who_blocked_me_can_be_blocked_back()
    {
        var (aId, a, _) = await fx.RegisteredAsync();
        var (bId, b, _) = await fx.RegisteredAsync();
        await (await fx.Client.SendJson(HttpMethod.Put, $"/api/v1/blocks/{aId}", null, b)).AssertStatus(204);
        await (await fx.Client.SendJson(HttpMethod.Put, $"/api/v1/blocks/{bId}", null, a)).AssertStatus(204);
        // b lifting theirs leaves a's block: still hidden from each other.
        await (await fx.Client.SendJson(HttpMethod.Delete, $"/api/v1/blocks/{aId}", null, b)).AssertStatus(204);
        await (await fx.Client.Get($"/api/v1/profiles/{aId}", b)).AssertProblem(404);
    }

    [Fact]
    public async Task The_list_pages_with_a_cursor_and_refuses_bad_ones()
    {
        var (_, me, _) = await fx.RegisteredAsync();
        for (var i = 0; i < 3; i++)
        {
            var (id, _, _) = await fx.RegisteredAsync();
            await (await fx.Client.SendJson(HttpMethod.Put, $"/api/v1/blocks/{id}", null, me)).AssertStatus(204);
            fx.Clock.Advance(TimeSpan.FromSeconds(1));
        }
        var first = await (await fx.Client.Get("/api/v1/blocks?limit=2", me)).AssertStatus(200);
        Assert.Equal(2, first["items"]!.AsArray().Count);
        var second = await (
            await fx.Client.Get($"/api/v1/blocks?limit=2&cursor={first["next_cursor"]}", me)
        ).AssertStatus(200);
        Assert.Single(second["items"]!.AsArray());
        Assert.Null(second["next_cursor"]);
        var problem = await (await fx.Client.Get("/api/v1/blocks?cursor=nonsense&limit=0", me)).AssertProblem(400);
        Assert.NotNull(problem["errors"]!["cursor"]);
        Assert.NotNull(problem["errors"]!["limit"]);
    }

    [Fact]
    public async Task Acceptance_block_and_unblock_of_a_pair_wait_for_its_lock_and_are_stamped_when_they_hold_it()
    {
        var (aId, a, _) = await fx.RegisteredAsync();
        var (bId, b, _) = await fx.RegisteredAsync();
        var request = await (await fx.Client.PostJson("/api/v1/connections", new { user_id = bId }, a)).AssertStatus(
            201
        );

        // The other services keep, of two changes of a pair, the one with the later time: each change must read the
        // time while it holds the pair's lock, so that the one that commits later carries the later time.
        var accepted = await StampedUnderThePairsLockAsync(
            aId,
            bId,
            () => fx.Client.PostJson($"/api/v1/connections/{request["id"]}/accept", new { }, b),
            200
        );
        var blocked = await StampedUnderThePairsLockAsync(
            aId,
            bId,
            () => fx.Client.SendJson(HttpMethod.Put, $"/api/v1/blocks/{bId}", null, a),
            204
        );
        var unblocked = await StampedUnderThePairsLockAsync(
            aId,
            bId,
            () => fx.Client.SendJson(HttpMethod.Delete, $"/api/v1/blocks/{bId}", null, a),
            204
        );

        var connection = request["id"]!.ToString();
        await HeldLocks.AssertStampedAfterAsync(fx, accepted, "ConnectionAccepted", "connectionId", connection);
        await HeldLocks.AssertStampedAfterAsync(fx, blocked, "ConnectionRemoved", "connectionId", connection);
        await HeldLocks.AssertStampedAfterAsync(fx, blocked, "UserBlocked", "blockerUserId", aId.ToString());
        await HeldLocks.AssertStampedAfterAsync(fx, unblocked, "UserUnblocked", "blockerUserId", aId.ToString());
    }

    private Task<DateTimeOffset> StampedUnderThePairsLockAsync(
        Guid one,
        Guid other,
        Func<Task<HttpResponseMessage>> change,
        int status
    ) =>
        HeldLocks.StampedUnderThePairsLockAsync(
            fx,
            one,
            other,
            async () => await (await change()).AssertStatus(status)
        );

    private Task<long> OutboxAsync(string type, string field, Guid value) =>
        fx.ScalarAsync<long>(
            $"SELECT count(*) FROM outbox_messages WHERE type LIKE '%.{type},%' AND payload->>'{field}' = @v",
            ("v", value.ToString())
        );
}
