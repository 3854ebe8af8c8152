namespace Community.Social.Tests;

public sealed class ProfilesTests(SocialFixture fx) : IClassFixture<SocialFixture>
{
    [Fact]
    public async Task A_profile_is_found_by_id_and_by_username_with_the_relation_to_me()
    {
        var (meId, me, myName) = await fx.RegisteredAsync(
            region: "Dubai Marina",
            interests: ["fitness", "travel", "chess"]
        );
        var (otherId, _, otherName) = await fx.RegisteredAsync(region: "Dubai Marina", interests: ["fitness", "chess"]);

        var byName = await (
            await fx.Client.Get($"/api/v1/profiles/by-username/{otherName.ToUpperInvariant()}", me)
        ).AssertStatus(200);
        Assert.Equal(otherId.ToString(), byName["user_id"]!.GetValue<string>());
        // 2 shared interests (16) + same region (20).
        Assert.Equal(36, byName["compatibility_score"]!.GetValue<int>());
        Assert.Equal(["chess", "fitness"], byName["common_interests"]!.AsArray().Select(n => n!.GetValue<string>()));

        await (await fx.Client.PostJson("/api/v1/connections", new { user_id = otherId }, me)).AssertStatus(201);
        await (await fx.Client.SendJson(HttpMethod.Put, $"/api/v1/follows/{otherId}", null, me)).AssertStatus(204);
        var byId = await (await fx.Client.Get($"/api/v1/profiles/{otherId}", me)).AssertStatus(200);
        Assert.Equal("pending_outgoing", byId["connection_status"]!.GetValue<string>());
        Assert.True(byId["is_following"]!.GetValue<bool>());
        Assert.False(byId["follows_you"]!.GetValue<bool>());

        var own = await (await fx.Client.Get($"/api/v1/profiles/{meId}", me)).AssertStatus(200);
        Assert.Equal(myName, own["username"]!.GetValue<string>());
        Assert.Null(own["compatibility_score"]);
    }

    [Fact]
    public async Task Unknown_users_and_blocks_either_way_are_404()
    {
        var (_, me, _) = await fx.RegisteredAsync();
        var (blockerId, blocker, blockerName) = await fx.RegisteredAsync();
        var (blockedId, _, blockedName) = await fx.RegisteredAsync();
        await (await fx.Client.Get($"/api/v1/profiles/{Guid.NewGuid()}", me)).AssertProblem(404);
        var nobody = await (await fx.Client.Get("/api/v1/profiles/by-username/nobody_here", me)).AssertProblem(404);

        await (await fx.Client.SendJson(HttpMethod.Put, $"/api/v1/blocks/{blockedId}", null, blocker)).AssertStatus(
            204
        );
        // The blocked person cannot see the blocker, and the blocker no longer sees the blocked person either.
        var blockedToken = fx.TokenFor(blockedId);
        var hidden = await (await fx.Client.Get($"/api/v1/profiles/{blockerId}", blockedToken)).AssertProblem(404);
        var unknown = await (await fx.Client.Get($"/api/v1/profiles/{Guid.NewGuid()}", blockedToken)).AssertProblem(
            404
        );
        Assert.Equal(unknown["detail"]!.GetValue<string>(), hidden["detail"]!.GetValue<string>());
        // by username too, in the words of a name nobody has
        foreach (var (name, token) in new[] { (blockerName, blockedToken), (blockedName, blocker) })
        {
            var byName = await (await fx.Client.Get($"/api/v1/profiles/by-username/{name}", token)).AssertProblem(404);
            Assert.Equal(nobody["detail"]!.GetValue<string>(), byName["detail"]!.GetValue<string>());
        }
        // A third person still sees both.
        await (await fx.Client.Get($"/api/v1/profiles/{blockerId}", me)).AssertStatus(200);
    }

    [Fact]
    public async Task Profiles_need_a_token()
    {
        var (id, _, _) = await fx.RegisteredAsync();
        Assert.Equal(401, (int)(await fx.Client.Get($"/api/v1/profiles/{id}")).StatusCode);
    }
}
