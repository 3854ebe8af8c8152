namespace Community.Social.Tests;

/// <summary>
/// A member's groups and activity as someone else sees them, and what shared groups add to compatibility.
/// </summary>
public sealed class ProfileGroupsTests(SocialFixture fx) : IClassFixture<SocialFixture>
{
    [Fact]
    public async Task A_profile_shows_the_groups_the_viewer_may_see_and_activity_counts()
    {
        var (userId, user, _) = await fx.RegisteredAsync();
        var (viewerId, viewer, _) = await fx.RegisteredAsync();
        var (_, follower, _) = await fx.RegisteredAsync();
        var open = await GroupsFlow.CreateAsync(fx, user);
        var closed = await GroupsFlow.CreateAsync(fx, user, visibility: "private");
        var secret = await GroupsFlow.CreateAsync(fx, user, visibility: "secret");
        await (await fx.Client.SendJson(HttpMethod.Put, $"/api/v1/follows/{userId}", null, follower)).AssertStatus(204);
        var request = await (
            await fx.Client.PostJson("/api/v1/connections", new { user_id = userId }, viewer)
        ).AssertStatus(201);
        await (await fx.Client.PostJson($"/api/v1/connections/{request["id"]}/accept", new { }, user)).AssertStatus(
            200
        );

        // The private and the secret group are their members' to know of.
        var seen = await (await fx.Client.Get($"/api/v1/profiles/{userId}/groups", viewer)).AssertStatus(200);
        Assert.Equal(open, Assert.Single(seen["items"]!.AsArray())!["id"]!.GetValue<string>());
        var activity = await (await fx.Client.Get($"/api/v1/profiles/{userId}/activity", viewer)).AssertStatus(200);
        Assert.Equal(1, activity["groups"]!.GetValue<int>());
        Assert.Equal(1, activity["connections"]!.GetValue<int>());
        Assert.Equal(1, activity["followers"]!.GetValue<int>());
        Assert.Equal(0, activity["events_attended"]!.GetValue<int>());

        // A fellow member of the secret group sees it too; so does its owner on their own profile.
        await (
            await fx.Client.PostJson($"/api/v1/groups/{secret}/invitations", new { user_id = viewerId }, user)
        ).AssertStatus(201);
        await (await fx.Client.PostJson($"/api/v1/groups/{secret}/join", new { }, viewer)).AssertStatus(201);
        Assert.Equal(
            2,
            (await (await fx.Client.Get($"/api/v1/profiles/{userId}/activity", viewer)).AssertStatus(200))[
                "groups"
            ]!.GetValue<int>()
        );
        var page = await (await fx.Client.Get($"/api/v1/profiles/{userId}/groups?limit=2", user)).AssertStatus(200);
        var rest = await (
            await fx.Client.Get($"/api/v1/profiles/{userId}/groups?limit=2&cursor={page["next_cursor"]}", user)
        ).AssertStatus(200);
        Assert.Equal(
            new[] { secret, closed, open },
            page["items"]!.AsArray().Concat(rest["items"]!.AsArray()).Select(n => n!["id"]!.GetValue<string>())
        );

        // Someone who follows the user and is in a block with the viewer is counted for nobody but the viewer: the
        // counts are those of the lists the viewer is shown, so they do not tell of a block.
        var (_, other, _) = await fx.RegisteredAsync();
        var (_, blocking, _) = await fx.RegisteredAsync();
        await (await fx.Client.SendJson(HttpMethod.Put, $"/api/v1/follows/{userId}", null, blocking)).AssertStatus(204);
        await (await fx.Client.SendJson(HttpMethod.Put, $"/api/v1/blocks/{viewerId}", null, blocking)).AssertStatus(
            204
        );
        var listed = await (await fx.Client.Get($"/api/v1/follows/followers?user_id={userId}", viewer)).AssertStatus(
            200
        );
        var counted = await (await fx.Client.Get($"/api/v1/profiles/{userId}/activity", viewer)).AssertStatus(200);
        Assert.Single(listed["items"]!.AsArray());
        Assert.Equal(1, counted["followers"]!.GetValue<int>());
        Assert.Equal(
            2,
            (await (await fx.Client.Get($"/api/v1/profiles/{userId}/activity", other)).AssertStatus(200))[
                "followers"
            ]!.GetValue<int>()
        );

        // Across a block the profile's groups and activity are 404, like the profile.
        await (await fx.Client.SendJson(HttpMethod.Put, $"/api/v1/blocks/{viewerId}", null, user)).AssertStatus(204);
        await (await fx.Client.Get($"/api/v1/profiles/{userId}/groups", viewer)).AssertProblem(404);
        await (await fx.Client.Get($"/api/v1/profiles/{userId}/activity", viewer)).AssertProblem(404);
        await (await fx.Client.Get($"/api/v1/profiles/{Guid.NewGuid()}/activity", viewer)).AssertProblem(404);
    }

    [Fact]
    public async Task Someone_else_s_private_and_secret_groups_are_listed_and_counted_for_fellow_members_only()
    {
        var (userId, user, _) = await fx.RegisteredAsync();
        var (_, viewer, _) = await fx.RegisteredAsync();
        var (_, owner, _) = await fx.RegisteredAsync();
        var open = await GroupsFlow.CreateAsync(fx, owner);
        var shared = await GroupsFlow.CreateAsync(fx, owner, visibility: "private");
        var closed = await GroupsFlow.CreateAsync(fx, owner, visibility: "private");
        var secret = await GroupsFlow.CreateAsync(fx, owner, visibility: "secret", policy: "invite");
        foreach (var group in new[] { open, shared, closed })
            await (await fx.Client.PostJson($"/api/v1/groups/{group}/join", new { }, user)).AssertStatus(201);
        await (await fx.Client.PostJson($"/api/v1/groups/{shared}/join", new { }, viewer)).AssertStatus(201);
        await (
            await fx.Client.PostJson($"/api/v1/groups/{secret}/invitations", new { user_id = userId }, owner)
        ).AssertStatus(201);
        await (await fx.Client.PostJson($"/api/v1/groups/{secret}/join", new { }, user)).AssertStatus(201);

        // The viewer shares one private group with them: that one shows, the other private one and the secret one not.
        var seen = await (await fx.Client.Get($"/api/v1/profiles/{userId}/groups", viewer)).AssertStatus(200);
        Assert.Equal(
            new[] { open, shared }.Order(),
            seen["items"]!.AsArray().Select(n => n!["id"]!.GetValue<string>()).Order()
        );
        var activity = await (await fx.Client.Get($"/api/v1/profiles/{userId}/activity", viewer)).AssertStatus(200);
        Assert.Equal(2, activity["groups"]!.GetValue<int>());
        // They still see all four of their own.
        var own = await (await fx.Client.Get($"/api/v1/profiles/{userId}/groups", user)).AssertStatus(200);
        Assert.Equal(4, own["items"]!.AsArray().Count);
        Assert.Equal(
            4,
            (await (await fx.Client.Get($"/api/v1/profiles/{userId}/activity", user)).AssertStatus(200))[
                "groups"
            ]!.GetValue<int>()
        );
    }

    [Fact]
    public async Task Shared_groups_add_five_points_each_up_to_fifteen()
    {
        var (aId, a, _) = await fx.RegisteredAsync(region: null, interests: ["knitting"]);
        var (bId, b, _) = await fx.RegisteredAsync(region: null, interests: ["rowing"]);
        Assert.Equal(0, await ScoreAsync(a, bId));
        for (var i = 1; i <= 4; i++)
        {
            var id = await GroupsFlow.CreateAsync(fx, a);
            await (await fx.Client.PostJson($"/api/v1/groups/{id}/join", new { }, b)).AssertStatus(201);
            Assert.Equal(Math.Min(15, 5 * i), await ScoreAsync(a, bId));
        }
        Assert.Equal(15, await ScoreAsync(b, aId));
    }

    private async Task<int> ScoreAsync(string token, Guid other) =>
        (await (await fx.Client.Get($"/api/v1/profiles/{other}", token)).AssertStatus(200))[
            "compatibility_score"
        ]!.GetValue<int>();
}
