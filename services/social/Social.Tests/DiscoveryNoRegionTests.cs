using Community.Contracts.Payments;

namespace Community.Social.Tests;

/// <summary>
/// Discovery with no region (the People page's default), with or without an interest, reads levels across regions
/// (migration 0037: the caller's own region and every other as two ranges of each level; profiles without a region
/// keyed ''). A text filter sends the same question through the general query, which scores every listed profile: both
/// must give the same people, scores and order, page by page. Its own database, so every profile is a candidate.
/// </summary>
public sealed class DiscoveryNoRegionTests(SocialFixture fx) : IClassFixture<SocialFixture>
{
    [Fact]
    public async Task No_region_pages_match_the_general_query_exactly()
    {
        var region = "Range " + Guid.NewGuid().ToString("N")[..8];
        // The caller's region in another case, one other region, and none: the 20 points go by lower case.
        string?[] regions = [region, region.ToLowerInvariant(), "Elsewhere", null];
        var (meId, me, _) = await fx.RegisteredAsync(
            region: region,
            interests: ["chess", "golf", "sailing", "tennis"],
            gender: "female"
        );
        // Six interests: levels read single interests' ranges where pairs would be too many; five shared is the cap.
        var (wideId, wide, _) = await fx.RegisteredAsync(
            region: "Elsewhere",
            interests: ["chess", "golf", "sailing", "tennis", "knitting", "rowing"]
        );
        // Without a region: one range a level, nobody scores for the region.
        var (lostId, lost, _) = await fx.RegisteredAsync(region: null, interests: ["knitting", "golf", "rowing"]);
        // Without interests: only level 0, by region.
        var (plainId, plain, _) = await fx.RegisteredAsync(region: region, interests: []);
        var random = new Random(4321);
        string[] pool = ["chess", "golf", "sailing", "tennis", "knitting", "rowing"];
        var people = new List<(Guid Id, string Token)>();
        for (var i = 0; i < 40; i++)
        {
            // Everyone has chess or knitting (asked below) and up to three more, but every eighth has none at all.
            var interests =
                i % 8 == 7
                    ? []
                    : new[] { i % 2 == 0 ? "chess" : "knitting" }
                        .Concat(pool.OrderBy(_ => random.Next()).Take(random.Next(4)))
                        .Distinct()
                        .ToArray();
            var (id, token, _) = await fx.RegisteredAsync(
                region: regions[i % regions.Length],
                interests: interests,
                gender: i % 3 == 0 ? "male" : "female",
                born: new DateOnly(1980 + i % 30, 1, 1)
            );
            people.Add((id, token));
        }
        // Sharing five or six of the wide caller's interests, here and without a region: one score, the cap.
        foreach (var (extra, at) in new[] { (pool, region), (pool[1..], null), (pool[..5], "Elsewhere") })
        {
            var (id, token, _) = await fx.RegisteredAsync(region: at, interests: extra, gender: "female");
            people.Add((id, token));
        }
        var now = fx.Clock.GetUtcNow();
        // Boosted in each region and without one (3), and a boost that ended (5).
        foreach (var i in new[] { 3, 8, 17, 6 })
            await fx.DeliverAsync(new BoostPurchased(Guid.NewGuid(), now, people[i].Id, now.AddDays(1)));
        await fx.DeliverAsync(new BoostPurchased(Guid.NewGuid(), now.AddDays(-3), people[5].Id, now.AddDays(-2)));
        // Elite members rank before others of their score: one boosted (8), one a neighbour (4), one blocked (14).
        foreach (var i in new[] { 1, 4, 8, 14, 19, 20, 21, 30, 33, 35, 42 })
            await fx.DeliverAsync(
                new SubscriptionChanged(Guid.NewGuid(), now, people[i].Id, Tiers.Elite, now.AddDays(30))
            );
        await fx.DeliverAsync(
            new SubscriptionChanged(Guid.NewGuid(), now.AddMinutes(1), people[33].Id, Tiers.Free, null)
        );

        // Friends of the callers, connected with people of every region: connections in common.
        var (f1Id, f1, _) = await fx.RegisteredAsync(region: "Elsewhere", interests: ["tennis"]);
        var (f2Id, f2, _) = await fx.RegisteredAsync(region: null, interests: ["tennis"]);
        foreach (var caller in new[] { me, wide, lost, plain })
        {
            await PeopleFlow.ConnectAsync(fx, caller, f1, f1Id);
            await PeopleFlow.ConnectAsync(fx, caller, f2, f2Id);
        }
        foreach (var i in new[] { 2, 4, 9, 11, 23 })
            await PeopleFlow.ConnectAsync(fx, people[i].Token, f1, f1Id);
        foreach (var i in new[] { 4, 13, 8, 27 })
            await PeopleFlow.ConnectAsync(fx, people[i].Token, f2, f2Id);
        // A group shared with a few (3 boosted now, 5 a boost that has ended), a connection in the ranges, and a block
        // each way.
        var group = await GroupsFlow.CreateAsync(fx, me);
        foreach (var i in new[] { 6, 7, 12, 3, 31, 5 })
            await GroupsFlow.JoinAsync(fx, group, people[i].Token);
        await GroupsFlow.JoinAsync(fx, group, lost);
        await PeopleFlow.ConnectAsync(fx, me, people[10].Token, people[10].Id);
        await PeopleFlow.ConnectAsync(fx, lost, people[11].Token, people[11].Id);
        await PeopleFlow.BlockAsync(fx, me, people[14].Id);
        await PeopleFlow.BlockAsync(fx, people[15].Token, lostId);

        var checkedRows = 0;
        var regionless = people.Where((_, i) => i % regions.Length == 3).Select(p => p.Id.ToString()).ToHashSet();
        var regionlessSeen = false;
        foreach (var callerId in new[] { meId, wideId, lostId, plainId })
        {
            var free =
                callerId == meId ? me
                : callerId == wideId ? wide
                : callerId == lostId ? lost
                : plain;
            var paid = fx.Tokens.Issue(callerId, Roles.Member, Tiers.Premium);
            foreach (var interest in new[] { "", "&interest=chess", "&interest=knitting", "&interest=rowing" })
            foreach (var extra in new[] { "", "&include_connected=true", "&gender=female&age_min=20&age_max=40" })
            foreach (var limit in new[] { 3, 50 })
            {
                var token = extra.Contains("gender") ? paid : free;
                var query = $"/api/v1/discover?limit={limit}{interest}{extra}";
                var fast = await fx.WalkDiscoveryAsync(query, token);
                var general = await fx.WalkDiscoveryAsync(query + "&q=User", token);
                Assert.Equal(general, fast);
                Assert.NotEmpty(fast);
                checkedRows += fast.Count;
                regionlessSeen |= fast.Any(r => regionless.Contains(r.User));
            }
        }
        Assert.True(checkedRows > 1000);
        Assert.True(regionlessSeen);
    }
}
