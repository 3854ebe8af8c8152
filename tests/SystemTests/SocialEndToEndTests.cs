extern alias GatewayApp;
extern alias IdentityApi;
extern alias SocialApi;
using GatewayProgram = GatewayApp::Program;
using IdentityProgram = IdentityApi::Program;
using SocialProgram = SocialApi::Program;

namespace Community.SystemTests;

/// <summary>
/// The real identity and social services (each with its own database, on one vhost) behind the real
/// gateway: social learns profiles from identity's events only, and checks identity's tokens (JWKS).
/// </summary>
public sealed class SocialEndToEndFixture() : ServiceFixture<IdentityProgram>(ResourceNames.Identity)
{
    public IsolatedResources SocialResources { get; private set; } = null!;
    public ServiceHost<SocialProgram> Social { get; private set; } = null!;
    public ServiceHost<GatewayProgram> Gateway { get; private set; } = null!;

    protected override bool TrustsTestTokens => false;

    public readonly string FeedKey = Guid.NewGuid().ToString("N");

    protected override void ConfigureService(IDictionary<string, string?> settings) =>
        settings["Revocations:FeedKey"] = FeedKey;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        SocialResources = await TestInfrastructure.IsolateAsync(nameof(SocialEndToEndTests) + "Social");
        Social = BehindIdentity.StartService<SocialProgram>(
            ResourceNames.Social,
            SocialResources,
            Resources.BrokerUri,
            Host.BaseAddress,
            FeedKey
        );
        // Its queues must be bound before the first registration, or social would never hear of it.
        await BusReadyAsync(Social);
        Gateway = BehindIdentity.StartGateway(Host.BaseAddress, ResourceNames.Social, Social.BaseAddress, FeedKey);
        Client.Dispose();
        Client = BehindIdentity.ClientOf(Gateway);
    }

    public override async Task DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await Social.DisposeAsync();
        await SocialResources.DisposeAsync();
        await base.DisposeAsync();
    }
}

public sealed class SocialEndToEndTests(SocialEndToEndFixture fx) : IClassFixture<SocialEndToEndFixture>
{
    private HttpClient Client => fx.Client;

    /// <summary>A member registered with a phone alone (201 at once); their id and access token.</summary>
    private async Task<(string Id, string Token)> RegisterAsync(string username)
    {
        var phone = "+97150" + Random.Shared.Next(1_000_000, 9_999_999);
        var registered = await (
            await Client.PostJson(
                "/api/v1/auth/register",
                new
                {
                    username,
                    phone,
                    password = "correct-horse-9",
                }
            )
        ).AssertStatus(201);
        return (registered["user"]!["id"]!.GetValue<string>(), registered["access_token"]!.GetValue<string>());
    }

    private async Task<JsonNode> EventuallyAsync(string url, string token, Func<JsonNode, bool> done)
    {
        JsonNode? last = null;
        await Eventually.TrueAsync(
            async () =>
            {
                var response = await Client.Get(url, token);
                if (!response.IsSuccessStatusCode)
                    return false;
                last = await response.Body();
                return done(last);
            },
            $"{url} never showed what was expected"
        );
        return last!;
    }

    [Fact]
    public async Task Profiles_edited_in_identity_reach_social_and_a_deleted_account_leaves_it()
    {
        var (amiraId, amira) = await RegisterAsync("social_amira");
        var (omarId, omar) = await RegisterAsync("social_omar");
        await (
            await Client.SendJson(
                HttpMethod.Patch,
                "/api/v1/users/me",
                new
                {
                    bio = "Runner",
                    region = "Dubai Marina",
                    interests = new[] { "running", "chess" },
                },
                amira
            )
        ).AssertStatus(200);
        await (
            await Client.SendJson(
                HttpMethod.Patch,
                "/api/v1/users/me",
                new { region = "Dubai Marina", interests = new[] { "running" } },
                omar
            )
        ).AssertStatus(200);

        // Each edit reaches social as an event of its own, and the score needs the viewer's as well as hers.
        await EventuallyAsync(
            $"/api/v1/profiles/{omarId}",
            omar,
            p => p["region"]?.GetValue<string>() == "Dubai Marina"
        );
        var profile = await EventuallyAsync(
            $"/api/v1/profiles/{amiraId}",
            omar,
            p => p["bio"]?.GetValue<string>() == "Runner"
        );
        Assert.Equal("social_amira", profile["username"]!.GetValue<string>());
        Assert.Equal(28, profile["compatibility_score"]!.GetValue<int>()); // running (8) + Dubai Marina (20)
        var found = await EventuallyAsync(
            "/api/v1/discover?region=Dubai%20Marina",
            omar,
            p => p["items"]!.AsArray().Count == 1
        );
        Assert.Equal(amiraId, found["items"]![0]!["user_id"]!.GetValue<string>());

        var request = await (
            await Client.PostJson("/api/v1/connections", new { user_id = amiraId }, omar)
        ).AssertStatus(201);
        await (await Client.PostJson($"/api/v1/connections/{request["id"]}/accept", new { }, amira)).AssertStatus(200);
        Assert.Single((await (await Client.Get("/api/v1/connections", omar)).AssertStatus(200))["items"]!.AsArray());

        await (await Client.DeleteAccount(amira)).AssertStatus(204);
        await Eventually.TrueAsync(
            async () => (int)(await Client.Get($"/api/v1/profiles/{amiraId}", omar)).StatusCode == 404,
            "the deleted account's profile stayed in social"
        );
        Assert.Empty((await (await Client.Get("/api/v1/connections", omar)).AssertStatus(200))["items"]!.AsArray());
    }

    [Fact]
    public async Task A_group_is_run_through_the_gateway_and_its_news_reaches_the_members_feed_and_dashboard()
    {
        var (_, layla) = await RegisterAsync("social_layla");
        var (karimId, karim) = await RegisterAsync("social_karim");
        var group = await (
            await Client.PostJson(
                "/api/v1/groups",
                new
                {
                    name = "Marina Runners",
                    description = "Morning runs",
                    visibility = "public",
                    join_policy = "request",
                },
                layla
            )
        ).AssertStatus(201);
        var groupId = group["id"]!.GetValue<string>();

        // Asking to join waits for the owner; a stranger cannot approve; the owner can.
        await (
            await Client.PostJson($"/api/v1/groups/{groupId}/join", new { reason = "I run daily" }, karim)
        ).AssertStatus(202);
        await (
            await Client.PostJson($"/api/v1/groups/{groupId}/requests/{karimId}/approve", new { }, karim)
        ).AssertProblem(403);
        await (
            await Client.PostJson($"/api/v1/groups/{groupId}/requests/{karimId}/approve", new { }, layla)
        ).AssertStatus(200);
        var members = await (await Client.Get($"/api/v1/groups/{groupId}/members", layla)).AssertStatus(200);
        Assert.Contains(members["items"]!.AsArray(), m => m!["user"]!["user_id"]!.GetValue<string>() == karimId);
        Assert.Equal(
            2,
            (await (await Client.Get($"/api/v1/groups/{groupId}", karim)).AssertStatus(200))[
                "member_count"
            ]!.GetValue<int>()
        );

        // GroupMemberJoined travels the bus back to social: the owner's feed shows the join, and both have a day of
        // activity.
        var feed = await EventuallyAsync("/api/v1/feed", layla, f => f["items"]!.AsArray().Count > 0);
        Assert.Contains(feed["items"]!.AsArray(), i => i!["subject"]?["id"]?.GetValue<string>() == groupId);
        var dashboard = await EventuallyAsync(
            "/api/v1/dashboard",
            karim,
            d => d["streak"]!["days"]!.GetValue<int>() == 1
        );
        Assert.True(dashboard["streak"]!["active_today"]!.GetValue<bool>());
        Assert.Equal(1, dashboard["counts"]!["groups"]!.GetValue<int>());
    }
}
