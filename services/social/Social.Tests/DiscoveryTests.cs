using Community.Contracts.Payments;
using Community.ServiceDefaults.Api;
using Community.Social.Discovery;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;

namespace Community.Social.Tests;

public sealed class DiscoveryTests(SocialFixture fx) : IClassFixture<SocialFixture>
{
    private static string Region() => "Region " + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task Boosted_people_come_first_then_by_compatibility()
    {
        var region = Region();
        var (meId, me, _) = await fx.RegisteredAsync(region: region, interests: ["chess", "golf", "sailing"]);
        var (closeId, _, _) = await fx.RegisteredAsync(region: region, interests: ["chess", "golf", "sailing"]);
        var (someId, _, _) = await fx.RegisteredAsync(region: region, interests: ["chess"]);
        var (boostedId, _, _) = await fx.RegisteredAsync(region: region, interests: ["knitting"]);
        var (expiredId, _, _) = await fx.RegisteredAsync(region: region, interests: ["knitting"]);
        var now = fx.Clock.GetUtcNow();
        await fx.DeliverAsync(new BoostPurchased(Guid.NewGuid(), now, boostedId, now.AddDays(1)));
        await fx.DeliverAsync(new BoostPurchased(Guid.NewGuid(), now.AddDays(-3), expiredId, now.AddDays(-2)));

        var page = await (
            await fx.Client.Get($"/api/v1/discover?region={Uri.EscapeDataString(region)}", me)
        ).AssertStatus(200);
        var items = page["items"]!.AsArray();
        Assert.Equal(
            [boostedId, closeId, someId, expiredId],
            items.Select(i => Guid.Parse(i!["user_id"]!.GetValue<string>()))
        );
        Assert.DoesNotContain(meId, items.Select(i => Guid.Parse(i!["user_id"]!.GetValue<string>())));
        Assert.True(items[0]!["is_boosted"]!.GetValue<bool>());
        // 3 shared interests (24) + same region (20)
        Assert.Equal(44, items[1]!["compatibility_score"]!.GetValue<int>());
        Assert.Equal(
            ["chess", "golf", "sailing"],
            items[1]!["common_interests"]!.AsArray().Select(n => n!.GetValue<string>())
        );

        // Keyset paging walks the same order.
        var first = await (
            await fx.Client.Get($"/api/v1/discover?region={Uri.EscapeDataString(region)}&limit=3", me)
        ).AssertStatus(200);
        var rest = await (
            await fx.Client.Get(
                $"/api/v1/discover?region={Uri.EscapeDataString(region)}&limit=3&cursor={first["next_cursor"]}",
                me
            )
        ).AssertStatus(200);
        Assert.Equal(expiredId.ToString(), Assert.Single(rest["items"]!.AsArray())!["user_id"]!.GetValue<string>());
        Assert.Null(rest["next_cursor"]);
    }

    [Fact]
    public async Task Each_score_is_compatibility_score_with_connections_and_groups_in_common_counted()
    {
        var region = Region();
        var (meId, me, _) = await fx.RegisteredAsync(region: region, interests: ["chess", "golf", "sailing"]);
        var (m1Id, m1, _) = await fx.RegisteredAsync(region: "Elsewhere", interests: ["tennis"]);
        var (m2Id, m2, _) = await fx.RegisteredAsync(region: "Elsewhere", interests: ["tennis"]);
        var (friendOfBothId, friendOfBoth, _) = await fx.RegisteredAsync(region: region, interests: ["golf", "tennis"]);
        var (friendOfOneId, friendOfOne, _) = await fx.RegisteredAsync(region: region, interests: ["chess"]);
        await fx.RegisteredAsync(region: region, interests: ["knitting"]);
        async Task Connect(string from, Guid to, string toToken)
        {
            var request = await (
                await fx.Client.PostJson("/api/v1/connections", new { user_id = to }, from)
            ).AssertStatus(201);
            await (
                await fx.Client.PostJson($"/api/v1/connections/{request["id"]}/accept", new { }, toToken)
            ).AssertStatus(200);
        }
        await Connect(me, m1Id, m1);
        await Connect(me, m2Id, m2);
        await Connect(friendOfBoth, m1Id, m1);
        await Connect(friendOfBoth, m2Id, m2);
        await Connect(friendOfOne, m1Id, m1);
        // friendOfOne and I share two groups: 10 more points, ranking them first.
        foreach (var _ in new[] { 1, 2 })
        {
            var group = await GroupsFlow.CreateAsync(fx, me);
            await GroupsFlow.JoinAsync(fx, group, friendOfOne);
        }

        var items = (
            await (await fx.Client.Get($"/api/v1/discover?region={Uri.EscapeDataString(region)}", me)).AssertStatus(200)
        )["items"]!.AsArray();
        Assert.Equal(3, items.Count);
        foreach (var item in items)
        {
            var id = Guid.Parse(item!["user_id"]!.GetValue<string>());
            Assert.Equal(
                await fx.ScalarAsync<int>("SELECT compatibility_score(@a, @b)", ("a", meId), ("b", id)),
                item["compatibility_score"]!.GetValue<int>()
            );
        }
        // 1 shared interest (8) + same region (20) + 1 connection in common (5) + 2 groups (10),
        // ahead of 1 shared + 2 in common.
        Assert.Equal(
            [(friendOfOneId, 43), (friendOfBothId, 38)],
            items
                .Take(2)
                .Select(i => (Guid.Parse(i!["user_id"]!.GetValue<string>()), i["compatibility_score"]!.GetValue<int>()))
        );
        // With an interest too (the region and interest index), the same people and scores.
        var golf = (
            await (
                await fx.Client.Get(
                    $"/api/v1/discover?region={Uri.EscapeDataString(region.ToUpperInvariant())}&interest=golf",
                    me
                )
            ).AssertStatus(200)
        )["items"]!.AsArray();
        Assert.Equal(
            [(friendOfBothId, 38)],
            golf.Select(i =>
                (Guid.Parse(i!["user_id"]!.GetValue<string>()), i!["compatibility_score"]!.GetValue<int>())
            )
        );
    }

    [Fact]
    public async Task Region_and_interest_discovery_follows_every_change_of_the_profile()
    {
        var region = Region();
        var (_, me, _) = await fx.RegisteredAsync(region: region, interests: ["rowing"], tier: Tiers.Premium);
        var (id, _, username) = await fx.RegisteredAsync(
            region: region,
            interests: ["rowing", "chess"],
            gender: "female",
            born: new DateOnly(1990, 5, 1)
        );
        async Task<List<Guid>> FoundAsync(string query) =>
            (
                await (
                    await fx.Client.Get($"/api/v1/discover?region={Uri.EscapeDataString(region)}&{query}", me)
                ).AssertStatus(200)
            )["items"]!
                .AsArray()
                .Select(i => Guid.Parse(i!["user_id"]!.GetValue<string>()))
                .ToList();
        Assert.Equal([id], await FoundAsync("interest=chess"));
        Assert.Equal([id], await FoundAsync($"interest=chess&gender=female&q={username[..6]}"));
        Assert.Empty(await FoundAsync("interest=chess&gender=male"));

        // A boost moves them; new interests and region replace the old; deletion removes them.
        var now = fx.Clock.GetUtcNow();
        await fx.DeliverAsync(new BoostPurchased(Guid.NewGuid(), now, id, now.AddDays(1)));
        var boosted = (
            await (
                await fx.Client.Get($"/api/v1/discover?region={Uri.EscapeDataString(region)}&interest=rowing", me)
            ).AssertStatus(200)
        )["items"]!.AsArray();
        Assert.True(Assert.Single(boosted)!["is_boosted"]!.GetValue<bool>());
        await fx.DeliverAsync(
            new UserProfileUpdated(
                Guid.NewGuid(),
                now.AddMinutes(1),
                id,
                username,
                "Moved",
                region,
                null,
                null,
                ["golf"],
                [],
                null,
                ["interests"]
            )
        );
        Assert.Empty(await FoundAsync("interest=chess"));
        Assert.Equal([id], await FoundAsync("interest=golf"));
        Assert.Equal([id], await FoundAsync(""));
        await fx.DeliverAsync(new UserDeleted(Guid.NewGuid(), now.AddMinutes(2), id));
        Assert.Empty(await FoundAsync("interest=golf"));
        Assert.Empty(await FoundAsync(""));
        foreach (var table in new[] { "discovery_entries", "discovery_pairs", "discovery_regions" })
            Assert.Equal(
                0L,
                await fx.ScalarAsync<long>($"SELECT count(*) FROM {table} WHERE user_id = @id", ("id", id))
            );
    }

    [Fact]
    public async Task Blocked_people_either_way_and_connections_are_left_out_unless_asked_for()
    {
        var region = Region();
        var (meId, me, _) = await fx.RegisteredAsync(region: region);
        var (blockedId, _, _) = await fx.RegisteredAsync(region: region);
        var (blockerId, blocker, _) = await fx.RegisteredAsync(region: region);
        var (friendId, friend, _) = await fx.RegisteredAsync(region: region);
        var (strangerId, _, _) = await fx.RegisteredAsync(region: region);
        await (await fx.Client.SendJson(HttpMethod.Put, $"/api/v1/blocks/{blockedId}", null, me)).AssertStatus(204);
        await (await fx.Client.SendJson(HttpMethod.Put, $"/api/v1/blocks/{meId}", null, blocker)).AssertStatus(204);
        var request = await (
            await fx.Client.PostJson("/api/v1/connections", new { user_id = friendId }, me)
        ).AssertStatus(201);
        await (await fx.Client.PostJson($"/api/v1/connections/{request["id"]}/accept", new { }, friend)).AssertStatus(
            200
        );

        Assert.Equal([strangerId], await IdsAsync($"/api/v1/discover?region={Uri.EscapeDataString(region)}", me));
        var withConnections = await IdsAsync(
            $"/api/v1/discover?region={Uri.EscapeDataString(region)}&include_connected=true",
            me
        );
        Assert.Equal(new[] { friendId, strangerId }.Order(), withConnections.Order());
        // The blocked person does not find me either.
        Assert.DoesNotContain(
            meId,
            await IdsAsync($"/api/v1/discover?region={Uri.EscapeDataString(region)}", fx.TokenFor(blockedId))
        );
        Assert.DoesNotContain(blockerId, withConnections);
    }

    [Fact]
    public async Task Premium_filters_are_403_for_the_free_tier_and_filter_for_premium()
    {
        var region = Region();
        var today = DateOnly.FromDateTime(fx.Clock.GetUtcNow().UtcDateTime);
        var (_, free, _) = await fx.RegisteredAsync(region: region);
        var (premiumId, _, _) = await fx.RegisteredAsync(region: region, tier: Tiers.Premium);
        var premium = fx.Tokens.Issue(premiumId, Roles.Member, Tiers.Premium);
        var elite = fx.Tokens.Issue(premiumId, Roles.Member, Tiers.Elite);
        var (youngId, _, _) = await fx.RegisteredAsync(region: region, gender: "female", born: today.AddYears(-25));
        var (olderId, _, _) = await fx.RegisteredAsync(
            region: region,
            gender: "male",
            born: today.AddYears(-40).AddDays(-1)
        );
        var (_, _, _) = await fx.RegisteredAsync(region: region);

        foreach (var filter in new[] { "age_min=20", "age_max=30", "gender=female" })
        {
            var problem = await (
                await fx.Client.Get($"/api/v1/discover?region={Uri.EscapeDataString(region)}&{filter}", free)
            ).AssertProblem(403);
            Assert.Contains("premium", problem["detail"]!.GetValue<string>());
        }
        Assert.Equal(
            [youngId],
            await IdsAsync($"/api/v1/discover?region={Uri.EscapeDataString(region)}&age_min=20&age_max=30", premium)
        );
        Assert.Equal(
            [olderId],
            await IdsAsync($"/api/v1/discover?region={Uri.EscapeDataString(region)}&gender=male", elite)
        );
        Assert.Equal(
            [olderId],
            await IdsAsync($"/api/v1/discover?region={Uri.EscapeDataString(region)}&age_min=40&age_max=40", premium)
        );
    }

    [Fact]
    public async Task Interest_and_text_filters_narrow_the_results()
    {
        var region = Region();
        var (_, me, _) = await fx.RegisteredAsync(region: region);
        var (climberId, _, climberName) = await fx.RegisteredAsync(region: region, interests: ["climbing"]);
        await fx.RegisteredAsync(region: region, interests: ["cooking"]);
        Assert.Equal(
            [climberId],
            await IdsAsync($"/api/v1/discover?region={Uri.EscapeDataString(region)}&interest=Climbing", me)
        );
        Assert.Equal(
            [climberId],
            await IdsAsync($"/api/v1/discover?region={Uri.EscapeDataString(region)}&q={climberName[..6]}", me)
        );
        Assert.Empty(await IdsAsync($"/api/v1/discover?region={Uri.EscapeDataString(region)}&q=%25", me));
    }

    [Fact]
    public async Task Bad_filters_are_validation_problems()
    {
        var (_, me, _) = await fx.RegisteredAsync();
        var premium = fx.Tokens.Issue(Guid.NewGuid(), Roles.Member, Tiers.Premium);
        var problem = await (
            await fx.Client.Get("/api/v1/discover?age_min=5&age_max=200&gender=robot&limit=0&cursor=x", premium)
        ).AssertProblem(400);
        foreach (var field in new[] { "age_min", "age_max", "gender", "limit", "cursor" })
            Assert.NotNull(problem["errors"]![field]);
        var order = await (await fx.Client.Get("/api/v1/discover?age_min=40&age_max=30", premium)).AssertProblem(400);
        Assert.NotNull(order["errors"]!["age_max"]);
        await (await fx.Client.Get("/api/v1/discover?regoin=x", me)).AssertProblem(400);
    }

    [Fact]
    public async Task A_member_of_a_large_group_sees_each_neighbours_score()
    {
        var region = Region();
        var (meId, me, _) = await fx.RegisteredAsync(region: region, interests: ["chess", "golf", "sailing"]);
        var (friendId, friend, _) = await fx.RegisteredAsync(region: "Elsewhere", interests: ["tennis"]);
        var (mateId, mate, _) = await fx.RegisteredAsync(region: region, interests: ["chess"]);
        var (fofId, fof, _) = await fx.RegisteredAsync(region: region, interests: ["golf"]);
        var (strangerId, _, _) = await fx.RegisteredAsync(region: region, interests: ["sailing"]);
        var (blockedId, blocked, blockedName) = await fx.RegisteredAsync(region: region, interests: ["origami"]);
        var (connectedId, connected, connectedName) = await fx.RegisteredAsync(region: region, interests: ["origami"]);
        // Boosted, and in both groups: ranked first, by the boosted step, with its two groups in its score.
        var (boostedId, boosted, _) = await fx.RegisteredAsync(region: region, interests: ["rowing"]);
        await ConnectAsync(me, friendId, friend);
        await ConnectAsync(fof, friendId, friend);
        await ConnectAsync(me, connectedId, connected);
        await (await fx.Client.SendJson(HttpMethod.Put, $"/api/v1/blocks/{blockedId}", null, me)).AssertStatus(204);
        var big = await GroupsFlow.CreateAsync(fx, me);
        var small = await GroupsFlow.CreateAsync(fx, me);
        foreach (
            var (group, token) in new[]
            {
                (big, mate),
                (small, mate),
                (big, blocked),
                (big, connected),
                (big, boosted),
                (small, boosted),
            }
        )
            await GroupsFlow.JoinAsync(fx, group, token);
        var now = fx.Clock.GetUtcNow();
        await fx.DeliverAsync(new BoostPurchased(Guid.NewGuid(), now, boostedId, now.AddDays(1)));
        // Thousands more in the big group, seeded directly (the discovery ranges follow by their trigger).
        await fx.ExecuteAsync(
            """
            INSERT INTO user_profiles (user_id, username, full_name, region, interests, registered_at)
            SELECT gen_random_uuid(), 'm' || i || substr(md5(@region), 1, 8), 'User mate ' || i, @region,
                   ARRAY['knitting'], now()
            FROM generate_series(1, 3000) AS i
            """,
            ("region", region)
        );
        await fx.ExecuteAsync(
            """
            INSERT INTO group_members (group_id, user_id, role, joined_at)
            SELECT @group, user_id, 'member', now() FROM user_profiles
            WHERE region = @region AND interests = ARRAY['knitting']
            """,
            ("group", Guid.Parse(big)),
            ("region", region)
        );

        var where = $"/api/v1/discover?region={Uri.EscapeDataString(region)}";
        // The boosted group mate first: same region (20) + 2 groups (10). Group mate: 1 shared interest (8) + same
        // region (20) + 2 groups (10); friend of a friend: 8 + 20 + 1 connection in common (5); a stranger 8 + 20;
        // then the big group's 20 + 5.
        foreach (var query in new[] { where + "&limit=6", where + "&limit=6&q=User" })
        {
            var items = await ScoredAsync(query, me);
            Assert.Equal([(boostedId, 30), (mateId, 38), (fofId, 33), (strangerId, 28)], items.Take(4));
            Assert.All(items.Skip(4), i => Assert.Equal(25, i.Score));
            foreach (var (id, score) in items)
                Assert.Equal(
                    await fx.ScalarAsync<int>("SELECT compatibility_score(@a, @b)", ("a", meId), ("b", id)),
                    score
                );
        }
        Assert.Equal([(fofId, 33)], await ScoredAsync(where + "&interest=golf", me));
        Assert.Equal([25, 25, 25], (await ScoredAsync(where + "&interest=knitting&limit=3", me)).Select(i => i.Score));
        // Hidden group mates stay hidden: the blocked one always, the connection unless asked for.
        Assert.Empty(await ScoredAsync(where + "&interest=origami", me));
        Assert.Equal([(connectedId, 25)], await ScoredAsync(where + "&interest=origami&include_connected=true", me));
        Assert.Empty(await ScoredAsync($"{where}&q={connectedName}", me));
        Assert.Equal([(connectedId, 25)], await ScoredAsync($"{where}&q={connectedName}&include_connected=true", me));
        Assert.Empty(await ScoredAsync($"{where}&q={blockedName}&include_connected=true", me));
    }

    [Fact]
    public async Task Later_pages_rank_as_of_the_first_so_a_boost_ending_between_them_shows_nobody_twice()
    {
        var region = Region();
        var (meId, me, _) = await fx.RegisteredAsync(region: region, interests: ["chess"]);
        var (endingId, _, _) = await fx.RegisteredAsync(region: region, interests: ["knitting"]);
        var (knitterId, _, _) = await fx.RegisteredAsync(region: region, interests: ["knitting"]);
        var chess = new List<Guid>();
        for (var i = 0; i < 2; i++)
            chess.Add((await fx.RegisteredAsync(region: region, interests: ["chess"])).Item1);
        var now = fx.Clock.GetUtcNow();
        await fx.DeliverAsync(new BoostPurchased(Guid.NewGuid(), now, endingId, now.AddMinutes(1)));
        var where = $"/api/v1/discover?region={Uri.EscapeDataString(region)}&limit=2";
        var first = await (await fx.Client.Get(where, me)).AssertStatus(200);
        var seen = first["items"]!.AsArray().Select(i => Guid.Parse(i!["user_id"]!.GetValue<string>())).ToList();
        Assert.Equal([endingId, chess.Max()], seen);

        // The boost ends before the next page is asked for.
        fx.Clock.Advance(TimeSpan.FromMinutes(2));
        var cursor = first["next_cursor"]!.GetValue<string>();
        while (cursor is not null)
        {
            var page = await (await fx.Client.Get($"{where}&cursor={cursor}", me)).AssertStatus(200);
            seen.AddRange(page["items"]!.AsArray().Select(i => Guid.Parse(i!["user_id"]!.GetValue<string>())));
            cursor = page["next_cursor"]?.GetValue<string>();
        }
        Assert.Equal([endingId, chess.Max(), chess.Min(), knitterId], seen);

        // Kept past the hour, the first page's cursor ranks at now: the boost long ended shows as none, and its
        // owner after the cursor with the other knitter.
        fx.Clock.Advance(TimeSpan.FromHours(1));
        var kept = await (
            await fx.Client.Get(
                $"{where.Replace("limit=2", "limit=3")}&cursor={first["next_cursor"]!.GetValue<string>()}",
                fx.TokenFor(meId)
            )
        ).AssertStatus(200);
        Assert.Equal(
            [chess.Min(), new[] { endingId, knitterId }.Max(), new[] { endingId, knitterId }.Min()],
            kept["items"]!.AsArray().Select(i => Guid.Parse(i!["user_id"]!.GetValue<string>()))
        );

        // A cursor given out before the time was carried in it is read still, ranked at now.
        var protection = fx.Host.Services.GetRequiredService<IDataProtectionProvider>();
        var old = OpaqueCursor.Encode(DiscoverPosition.Protector(protection).Protect($"0_28_0_{chess.Max():N}"));
        var rest = await (await fx.Client.Get($"{where}&cursor={old}", fx.TokenFor(meId))).AssertStatus(200);
        Assert.Equal(
            [chess.Min(), new[] { endingId, knitterId }.Max()],
            rest["items"]!.AsArray().Select(i => Guid.Parse(i!["user_id"]!.GetValue<string>()))
        );
    }

    private async Task ConnectAsync(string from, Guid to, string toToken)
    {
        var request = await (await fx.Client.PostJson("/api/v1/connections", new { user_id = to }, from)).AssertStatus(
            201
        );
        await (await fx.Client.PostJson($"/api/v1/connections/{request["id"]}/accept", new { }, toToken)).AssertStatus(
            200
        );
    }

    /// <summary>The first page of <paramref name="url"/>: (user, score) in the order given.</summary>
    private async Task<List<(Guid Id, int Score)>> ScoredAsync(string url, string token) =>
        (await (await fx.Client.Get(url, token)).AssertStatus(200))["items"]!
            .AsArray()
            .Select(i => (Guid.Parse(i!["user_id"]!.GetValue<string>()), i["compatibility_score"]!.GetValue<int>()))
            .ToList();

    private async Task<List<Guid>> IdsAsync(string url, string token) =>
        (await (await fx.Client.Get(url, token)).AssertStatus(200))["items"]!
            .AsArray()
            .Select(i => Guid.Parse(i!["user_id"]!.GetValue<string>()))
            .ToList();
}
