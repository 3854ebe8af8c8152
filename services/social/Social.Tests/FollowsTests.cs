namespace Community.Social.Tests;

public sealed class FollowsTests(SocialFixture fx) : IClassFixture<SocialFixture>
{
    [Fact]
    public async Task Following_is_one_way_idempotent_and_published_once()
    {
        var (aId, a, _) = await fx.RegisteredAsync();
        var (bId, b, _) = await fx.RegisteredAsync();
        await (await fx.Client.SendJson(HttpMethod.Put, $"/api/v1/follows/{bId}", null, a)).AssertStatus(204);
        await (await fx.Client.SendJson(HttpMethod.Put, $"/api/v1/follows/{bId}", null, a)).AssertStatus(204);
        Assert.Equal(
            1L,
            await fx.ScalarAsync<long>(
                $"""
                SELECT count(*) FROM outbox_messages WHERE type LIKE '%.{nameof(UserFollowed)},%'
                    AND payload->>'followerUserId' = @v
                """,
                ("v", aId.ToString())
            )
        );

        var followers = await (await fx.Client.Get($"/api/v1/follows/followers?user_id={bId}", a)).AssertStatus(200);
        Assert.Equal(
            aId.ToString(),
            Assert.Single(followers["items"]!.AsArray())!["user"]!["user_id"]!.GetValue<string>()
        );
        var myFollowers = await (await fx.Client.Get("/api/v1/follows/followers", b)).AssertStatus(200);
        Assert.Single(myFollowers["items"]!.AsArray());
        var following = await (await fx.Client.Get("/api/v1/follows/following", a)).AssertStatus(200);
        Assert.Equal(
            bId.ToString(),
            Assert.Single(following["items"]!.AsArray())!["user"]!["user_id"]!.GetValue<string>()
        );
        Assert.Empty(
            (await (await fx.Client.Get("/api/v1/follows/following", b)).AssertStatus(200))["items"]!.AsArray()
        );

        await (await fx.Client.SendJson(HttpMethod.Delete, $"/api/v1/follows/{bId}", null, a)).AssertStatus(204);
        Assert.Empty(
            (await (await fx.Client.Get("/api/v1/follows/following", a)).AssertStatus(200))["items"]!.AsArray()
        );
    }

    [Fact]
    public async Task Lists_hide_people_blocked_either_way_and_404_across_a_block()
    {
        var (_, me, _) = await fx.RegisteredAsync();
        var (starId, _, _) = await fx.RegisteredAsync();
        var (fanId, fan, _) = await fx.RegisteredAsync();
        await (await fx.Client.SendJson(HttpMethod.Put, $"/api/v1/follows/{starId}", null, me)).AssertStatus(204);
        await (await fx.Client.SendJson(HttpMethod.Put, $"/api/v1/follows/{starId}", null, fan)).AssertStatus(204);
        await (await fx.Client.SendJson(HttpMethod.Put, $"/api/v1/blocks/{fanId}", null, me)).AssertStatus(204);
        var followers = await (await fx.Client.Get($"/api/v1/follows/followers?user_id={starId}", me)).AssertStatus(
            200
        );
        Assert.Single(followers["items"]!.AsArray());
        await (await fx.Client.Get($"/api/v1/follows/following?user_id={fanId}", me)).AssertProblem(404);
    }

    [Fact]
    public async Task Bad_follows_are_refused()
    {
        var (meId, me, _) = await fx.RegisteredAsync();
        await (await fx.Client.SendJson(HttpMethod.Put, $"/api/v1/follows/{meId}", null, me)).AssertProblem(422);
        await (await fx.Client.SendJson(HttpMethod.Put, $"/api/v1/follows/{Guid.NewGuid()}", null, me)).AssertProblem(
            404
        );
        var (otherId, _, _) = await fx.RegisteredAsync();
        await (await fx.Client.SendJson(HttpMethod.Put, $"/api/v1/blocks/{otherId}", null, me)).AssertStatus(204);
        await (await fx.Client.SendJson(HttpMethod.Put, $"/api/v1/follows/{otherId}", null, me)).AssertProblem(422);
        var problem = await (await fx.Client.Get("/api/v1/follows/followers?cursor=@@@&limit=500", me)).AssertProblem(
            400
        );
        Assert.NotNull(problem["errors"]!["limit"]);
        await (await fx.Client.Get("/api/v1/follows/followers?user=x", me)).AssertProblem(400);
    }

    [Fact]
    public async Task A_follow_waiting_for_its_pairs_lock_is_stamped_when_it_holds_it()
    {
        var (aId, a, _) = await fx.RegisteredAsync();
        var (bId, _, _) = await fx.RegisteredAsync();

        // Of a follow and a block of the same pair (which ends the follow), the other services keep the later: a
        // follow that waited for a block to commit must carry a later time than the block's.
        var held = await HeldLocks.StampedUnderThePairsLockAsync(
            fx,
            aId,
            bId,
            async () =>
                await (await fx.Client.SendJson(HttpMethod.Put, $"/api/v1/follows/{bId}", null, a)).AssertStatus(204)
        );

        await HeldLocks.AssertStampedAfterAsync(fx, held, nameof(UserFollowed), "followerUserId", aId.ToString());
    }
}
