namespace Community.Social.Tests;

public sealed class IdempotencyKeyTests(SocialFixture fx) : IClassFixture<SocialFixture>
{
    [Fact]
    public void The_gateway_retries_keyed_posts_on_exactly_the_paths_whose_key_this_service_honours() =>
        Assert.Equal(
            KeyedPosts.ByService[ResourceNames.Social].Order(StringComparer.Ordinal),
            CreateEndpoints.HonouringKey(fx.Host.Services)
        );

    [Fact]
    public void Every_signed_in_create_honours_the_key() =>
        Assert.Empty(CreateEndpoints.NotHonouringIdempotencyKey(fx.Host.Services));

    [Fact]
    public async Task Every_replayed_create_documents_the_409_and_422_its_key_can_answer()
    {
        var document = await (await fx.Client.Get("/openapi/v1.json")).AssertStatus(200);
        var replayed = CreateEndpoints.Replayed(fx.Host.Services);
        Assert.Contains("CreateGroup", replayed);
        Assert.Contains("JoinGroup", replayed);
        Assert.Empty(CreateEndpoints.KeyAnswersNotDocumented(fx.Host.Services, document));
    }

    [Fact]
    public async Task Creating_a_group_twice_with_one_key_creates_one_group_and_replays_the_answer()
    {
        var (ownerId, owner, _) = await fx.RegisteredAsync();
        var body = new
        {
            name = "Once Only",
            visibility = "public",
            join_policy = "open",
        };

        var first = await fx.Client.PostJsonWithKey("/api/v1/groups", body, owner, "group-once");
        var again = await fx.Client.PostJsonWithKey("/api/v1/groups", body, owner, "group-once");

        var created = await first.AssertStatus(201);
        Assert.Equal(created.ToJsonString(), (await again.AssertStatus(201)).ToJsonString());
        Assert.Equal(first.Headers.Location, again.Headers.Location);
        Assert.Equal(
            1L,
            await fx.ScalarAsync<long>("SELECT count(*) FROM groups WHERE owner_id = @id", ("id", ownerId))
        );
        await (
            await fx.Client.PostJsonWithKey("/api/v1/groups", new { name = "Another" }, owner, "group-once")
        ).AssertProblem(422);
    }

    [Fact]
    public async Task A_group_carries_an_etag_and_a_stale_if_match_changes_nothing()
    {
        var (_, owner, _) = await fx.RegisteredAsync();
        var created = await (
            await fx.Client.PostJson("/api/v1/groups", new { name = "Tagged", visibility = "public" }, owner)
        ).AssertStatus(201);
        var url = $"/api/v1/groups/{created["id"]}";
        await EntityTags.AssertIfMatchHonouredAsync(
            fx.Client,
            url,
            HttpMethod.Patch,
            url,
            "{\"description\": \"First\"}",
            owner,
            otherBody: "{\"description\": \"Second\"}"
        );
    }
}
