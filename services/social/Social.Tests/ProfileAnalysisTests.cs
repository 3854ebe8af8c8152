using System.Net;
using System.Text.Json.Nodes;
using Community.Social.Profiles;

namespace Community.Social.Tests;

/// <summary>Social with a fake OpenAI-compatible model behind Social:ProfileAnalysis.</summary>
public sealed class ProfileAnalysisFixture : SocialFixture
{
    public const string ModelName = "analyst-test-1";
    public const string ApiKey = "sk-analysis-test";

    public FakeOpenAiServer Model { get; private set; } = null!;

    protected override void ConfigureService(IDictionary<string, string?> settings)
    {
        settings["Social:ProfileAnalysis:Endpoint"] = Model.Endpoint;
        settings["Social:ProfileAnalysis:Model"] = ModelName;
        settings["Social:ProfileAnalysis:ApiKey"] = ApiKey;
        // No test here waits for the timeout; a short one on a busy machine gave up before the fake model read the
        // request, left its queued reply to the next test, and failed both.
        settings["Social:ProfileAnalysis:Timeout"] = "00:00:15";
        settings["Http:Resilience:Clients:social-profile-analysis:Retry:Delay"] = "00:00:00.010";
        settings["Http:Resilience:Clients:social-profile-analysis:CircuitBreaker:MinimumThroughput"] = "100000";
    }

    public override async Task InitializeAsync()
    {
        Model = await FakeOpenAiServer.StartAsync();
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Model.DisposeAsync();
    }
}

public sealed class ProfileAnalysisTests(ProfileAnalysisFixture fx) : IClassFixture<ProfileAnalysisFixture>
{
    [Fact]
    public async Task The_model_analyses_the_profile_it_was_sent_and_its_answer_comes_back_bounded()
    {
        var (meId, me, _) = await fx.RegisteredAsync(interests: ["robotics"]);
        var (friendId, friend, _) = await fx.RegisteredAsync(interests: ["solar", "drones"]);
        await PeopleFlow.ConnectAsync(fx, me, friend, friendId);
        await (
            await fx.Client.SendJson(
                HttpMethod.Put,
                "/api/v1/profiles/me",
                new { skills = new[] { "embedded C" }, projects = new[] { new { name = "Solar Scout" } } },
                me
            )
        ).AssertStatus(200);
        fx.Model.Reply(
            new JsonObject
            {
                ["strengths"] = new JsonArray("Hands-on embedded work", "Ships projects", "3", "4", "5", "6", "7"),
                ["suggested_interests"] = new JsonArray("drones", 42, new string('x', 500)),
                ["next_steps"] = new JsonArray("Write up Solar Scout"),
            }.ToJsonString()
        );
        var before = fx.Model.Received.Count;

        var analysis = await (await fx.Client.PostJson("/api/v1/profiles/me/analyze", new { }, me)).AssertStatus(200);
        Assert.False(analysis["offline"]!.GetValue<bool>());
        Assert.Equal(ProfileAnalysisFixture.ModelName, analysis["model"]!.GetValue<string>());
        Assert.Equal(5, analysis["strengths"]!.AsArray().Count);
        Assert.Equal("Hands-on embedded work", analysis["strengths"]![0]!.GetValue<string>());
        var interests = analysis["suggested_interests"]!.AsArray().Select(n => n!.GetValue<string>()).ToList();
        Assert.Equal("drones", interests[0]);
        Assert.Equal(ProfileAnalyst.MaxItemLength, interests[1].Length);
        Assert.Equal(["Write up Solar Scout"], analysis["next_steps"]!.AsArray().Select(n => n!.GetValue<string>()));

        var request = Assert.Single(fx.Model.Received.Skip(before));
        Assert.Equal("Bearer " + ProfileAnalysisFixture.ApiKey, request.Authorization);
        Assert.Equal(ProfileAnalysisFixture.ModelName, request.Model);
        Assert.False(request.Stream);
        Assert.Equal("json_object", request.Body["response_format"]?["type"]?.GetValue<string>());
        var (role, system) = request.Chat[0];
        Assert.Equal("system", role);
        Assert.Equal(ProfileAnalyst.Instructions, system);
        var facts = JsonNode.Parse(request.Chat[1].Content)!;
        Assert.Equal("embedded C", facts["skills"]![0]!.GetValue<string>());
        Assert.Equal("Solar Scout", facts["projects"]![0]!["name"]!.GetValue<string>());
        Assert.Equal(1, facts["connections"]!.GetValue<int>());
        Assert.Equal(
            ["drones", "solar"],
            facts["connections_interests"]!.AsArray().Select(n => n!.GetValue<string>()).Order()
        );
        Assert.DoesNotContain(meId.ToString(), request.Chat[1].Content);
    }

    [Fact]
    public async Task A_model_that_fails_or_answers_nonsense_leaves_the_offline_analyst_to_answer_and_says_so()
    {
        var (_, me, _) = await fx.RegisteredAsync(tier: Tiers.Premium);
        fx.Model.Reply("Sure! Here are some thoughts about your profile.");
        var nonsense = await (await fx.Client.PostJson("/api/v1/profiles/me/analyze", new { }, me)).AssertStatus(200);
        Assert.True(nonsense["offline"]!.GetValue<bool>());
        Assert.Equal(ProfileAnalyst.FallbackModel, nonsense["model"]!.GetValue<string>());
        Assert.NotEmpty(nonsense["next_steps"]!.AsArray());

        fx.Model.Failure = FakeOpenAiFailure.ServerError;
        try
        {
            var failed = await (await fx.Client.PostJson("/api/v1/profiles/me/analyze", new { }, me)).AssertStatus(200);
            Assert.True(failed["offline"]!.GetValue<bool>());
            Assert.Equal(ProfileAnalyst.FallbackModel, failed["model"]!.GetValue<string>());
        }
        finally
        {
            fx.Model.Failure = FakeOpenAiFailure.None;
        }
    }

    [Fact]
    public async Task Each_tier_has_its_daily_count_in_postgresql_then_429_with_retry_after_until_midnight()
    {
        var (meId, free, _) = await fx.RegisteredAsync();
        for (var i = 0; i < 3; i++)
            await (await fx.Client.PostJson("/api/v1/profiles/me/analyze", new { }, free)).AssertStatus(200);
        var before = fx.Model.Received.Count;
        var refused = await fx.Client.PostJson("/api/v1/profiles/me/analyze", new { }, free);
        var problem = await refused.AssertProblem(429);
        Assert.Contains("3", problem["detail"]!.GetValue<string>());
        var retryAfter = refused.Headers.RetryAfter!.Delta!.Value;
        var now = fx.Clock.GetUtcNow();
        var midnight = now.UtcDateTime.Date.AddDays(1);
        Assert.InRange(
            retryAfter,
            midnight - now.UtcDateTime - TimeSpan.FromMinutes(1),
            midnight - now.UtcDateTime + TimeSpan.FromMinutes(1)
        );
        // A refused analysis never reaches the model.
        Assert.Equal(before, fx.Model.Received.Count);
        Assert.Equal(
            3,
            await fx.ScalarAsync<int>(
                "SELECT count FROM profile_analysis_uses WHERE user_id = @u AND day = @d",
                ("u", meId),
                ("d", DateOnly.FromDateTime(now.UtcDateTime))
            )
        );

        // The same member on premium (the token's tier) has 20 a day, counting the 3 already used.
        var premium = fx.Tokens.Issue(meId, Roles.Member, Tiers.Premium);
        for (var i = 3; i < 20; i++)
            await (await fx.Client.PostJson("/api/v1/profiles/me/analyze", new { }, premium)).AssertStatus(200);
        await (await fx.Client.PostJson("/api/v1/profiles/me/analyze", new { }, premium)).AssertProblem(429);
        var elite = fx.Tokens.Issue(meId, Roles.Member, Tiers.Elite);
        await (await fx.Client.PostJson("/api/v1/profiles/me/analyze", new { }, elite)).AssertStatus(200);

        // Many at once on a fresh account: exactly the limit gets through.
        var (_, other, _) = await fx.RegisteredAsync();
        var answers = await Task.WhenAll(
            Enumerable.Range(0, 8).Select(_ => fx.Client.PostJson("/api/v1/profiles/me/analyze", new { }, other))
        );
        Assert.Equal(3, answers.Count(a => a.StatusCode == HttpStatusCode.OK));
        Assert.Equal(5, answers.Count(a => a.StatusCode == HttpStatusCode.TooManyRequests));
    }

    [Fact]
    public async Task Analysis_needs_a_token_and_an_account_that_still_exists()
    {
        Assert.Equal(401, (int)(await fx.Client.PostJson("/api/v1/profiles/me/analyze", new { })).StatusCode);
        var (goneId, _, _) = await fx.RegisteredAsync();
        await fx.DeliverAsync(new UserDeleted(Guid.NewGuid(), fx.Clock.GetUtcNow(), goneId));
        var gone = await fx.Client.PostJson("/api/v1/profiles/me/analyze", new { }, fx.TokenFor(goneId));
        Assert.NotEqual(HttpStatusCode.OK, gone.StatusCode);
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>("SELECT count(*) FROM profile_analysis_uses WHERE user_id = @u", ("u", goneId))
        );
    }
}

/// <summary>Without Social:ProfileAnalysis:Endpoint: the offline analyst, deterministic, from the profile.</summary>
public sealed class OfflineProfileAnalysisTests(SocialFixture fx) : IClassFixture<SocialFixture>
{
    [Fact]
    public async Task The_offline_analyst_answers_from_the_profile_the_same_each_time_and_says_it_is_offline()
    {
        var (_, me, _) = await fx.RegisteredAsync(interests: ["robotics"], tier: Tiers.Elite);
        var (friendId, friend, _) = await fx.RegisteredAsync(interests: ["solar", "drones", "robotics"]);
        var (otherId, other, _) = await fx.RegisteredAsync(interests: ["solar"]);
        await PeopleFlow.ConnectAsync(fx, me, friend, friendId);
        await PeopleFlow.ConnectAsync(fx, me, other, otherId);
        await (
            await fx.Client.SendJson(
                HttpMethod.Put,
                "/api/v1/profiles/me",
                new
                {
                    skills = new[] { "embedded C", "CAD" },
                    awards = new[] { new { title = "Best Hardware Hack" } },
                    visibility = new { skills = "private" },
                },
                me
            )
        ).AssertStatus(200);

        var first = await (await fx.Client.PostJson("/api/v1/profiles/me/analyze", new { }, me)).AssertStatus(200);
        Assert.True(first["offline"]!.GetValue<bool>());
        Assert.Equal(ProfileAnalyst.OfflineModel, first["model"]!.GetValue<string>());
        Assert.Equal(
            ["Skills in embedded C, CAD", "Recognised: Best Hardware Hack"],
            first["strengths"]!.AsArray().Select(n => n!.GetValue<string>())
        );
        // Connections' interests I lack, the most shared first: solar (2) before drones (1); never robotics (mine).
        Assert.Equal(["solar", "drones"], first["suggested_interests"]!.AsArray().Select(n => n!.GetValue<string>()));
        var steps = first["next_steps"]!.AsArray().Select(n => n!.GetValue<string>()).ToList();
        Assert.Contains("Add the skills you use most (at least three).", steps);
        Assert.Contains("Add a project you worked on, with a link people can open.", steps);
        Assert.Contains("Show your skills and projects to your connections so they know what you do.", steps);

        var again = await (await fx.Client.PostJson("/api/v1/profiles/me/analyze", new { }, me)).AssertStatus(200);
        Assert.Equal(first.ToJsonString(), again.ToJsonString());
    }

    [Fact]
    public async Task Without_connections_or_a_profile_the_offline_analyst_still_answers()
    {
        var (_, me, _) = await fx.RegisteredAsync(interests: ["chess"]);
        var analysis = await (await fx.Client.PostJson("/api/v1/profiles/me/analyze", new { }, me)).AssertStatus(200);
        Assert.Empty(analysis["strengths"]!.AsArray());
        Assert.Equal(["chess"], analysis["suggested_interests"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal(4, analysis["next_steps"]!.AsArray().Count);
    }
}
