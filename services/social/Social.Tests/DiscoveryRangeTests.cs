using Community.Contracts.Payments;

namespace Community.Social.Tests;

/// <summary>
/// Discovery by region, with or without an interest, takes a shortcut (migration 0025: the boosted and the caller's
/// neighbourhood scored in full, everyone else read level by level from ranges in rank order). A text filter sends the
/// same question through the general query, which scores every candidate: both must give the same people, scores and
/// order, page by page.
/// </summary>
public sealed class DiscoveryRangeTests(SocialFixture fx) : IClassFixture<SocialFixture>
{
    [Fact]
    public async Task Region_and_interest_pages_match_the_general_query_exactly()
    {
        var region = "Range " + Guid.NewGuid().ToString("N")[..8];
        var (meId, me, _) = await fx.RegisteredAsync(
            region: region,
            interests: ["chess", "golf", "sailing", "tennis"],
            gender: "female"
        );
        var premium = fx.Tokens.Issue(meId, Roles.Member, Tiers.Premium);
        // Six interests: a region's levels read single interests' ranges where pairs would be too many, and five
        // shared is the cap.
        var (wideId, wide, _) = await fx.RegisteredAsync(
            region: region,
            interests: ["chess", "golf", "sailing", "tennis", "knitting", "rowing"]
        );
        var widePremium = fx.Tokens.Issue(wideId, Roles.Member, Tiers.Premium);
        // In the region without interests: only a region's levels have them.
        var (bareId, _, _) = await fx.RegisteredAsync(region: region, interests: []);
        var random = new Random(1234);
        string[] pool = ["chess", "golf", "sailing", "tennis", "knitting", "rowing"];
        var people = new List<(Guid Id, string Token)>();
        for (var i = 0; i < 36; i++)
        {
            // Everyone has chess or knitting (the two interests asked below), and up to three more.
            var interests = new[] { i % 2 == 0 ? "chess" : "knitting" }
                .Concat(pool.OrderBy(_ => random.Next()).Take(random.Next(4)))
                .Distinct()
                .ToArray();
            var (id, token, _) = await fx.RegisteredAsync(
                region: region,
                interests: interests,
                gender: i % 3 == 0 ? "male" : "female",
                born: new DateOnly(1980 + i, 1, 1)
            );
            people.Add((id, token));
        }
        async Task<(Guid, string)> PersonAsync(string[] interests)
        {
            var (id, token, _) = await fx.RegisteredAsync(region: region, interests: interests, gender: "female");
            return (id, token);
        }
        // Sharing five or six of the wide caller's interests: one score, the cap.
        foreach (var extra in new[] { pool, pool[1..], pool[..5] })
            people.Add(await PersonAsync(extra));
        var now = fx.Clock.GetUtcNow();
        foreach (var i in new[] { 3, 8, 17 })
            await fx.DeliverAsync(new BoostPurchased(Guid.NewGuid(), now, people[i].Id, now.AddDays(1)));
        await fx.DeliverAsync(new BoostPurchased(Guid.NewGuid(), now.AddDays(-3), people[5].Id, now.AddDays(-2)));
        // Elite members rank before others of their score: one boosted (8), one a neighbour (4), one blocked (14).
        foreach (var i in new[] { 1, 4, 8, 14, 20, 21, 30, 33 })
            await fx.DeliverAsync(
                new SubscriptionChanged(Guid.NewGuid(), now, people[i].Id, Tiers.Elite, now.AddDays(30))
            );
        // Elite is in the ranges' keys: a tier that ends moves its rows back.
        await fx.DeliverAsync(
            new SubscriptionChanged(Guid.NewGuid(), now.AddMinutes(1), people[33].Id, Tiers.Free, null)
        );

        // Two friends elsewhere, connected with some of the region's people: connections in common.
        var (f1Id, f1, _) = await fx.RegisteredAsync(region: "Elsewhere", interests: ["tennis"]);
        var (f2Id, f2, _) = await fx.RegisteredAsync(region: "Elsewhere", interests: ["tennis"]);
        await PeopleFlow.ConnectAsync(fx, me, f1, f1Id);
        await PeopleFlow.ConnectAsync(fx, me, f2, f2Id);
        foreach (var i in new[] { 2, 4, 9, 11 })
            await PeopleFlow.ConnectAsync(fx, people[i].Token, f1, f1Id);
        foreach (var i in new[] { 4, 13, 8 })
            await PeopleFlow.ConnectAsync(fx, people[i].Token, f2, f2Id);
        // A group shared with a few (3 boosted now, 5 a boost that has ended), a connection of mine in the range, and
        // a block each way.
        var group = await GroupsFlow.CreateAsync(fx, me);
        foreach (var i in new[] { 6, 7, 12, 3, 5 })
            await GroupsFlow.JoinAsync(fx, group, people[i].Token);
        await PeopleFlow.ConnectAsync(fx, me, people[10].Token, people[10].Id);
        await PeopleFlow.BlockAsync(fx, me, people[14].Id);
        await PeopleFlow.BlockAsync(fx, people[15].Token, meId);

        var checkedRows = 0;
        var bareSeen = false;
        foreach (var (free, paid) in new[] { (me, premium), (wide, widePremium) })
        foreach (var interest in new[] { "&interest=chess", "&interest=knitting", "&interest=rowing", "" })
        foreach (var extra in new[] { "", "&include_connected=true", "&gender=female&age_min=20&age_max=40" })
        foreach (var limit in new[] { 2, 5, 50 })
        {
            var token = extra.Contains("gender") ? paid : free;
            var query = $"/api/v1/discover?region={Uri.EscapeDataString(region)}{interest}&limit={limit}{extra}";
            var fast = await fx.WalkDiscoveryAsync(query, token);
            var general = await fx.WalkDiscoveryAsync(query + "&q=User", token);
            Assert.Equal(general, fast);
            Assert.NotEmpty(fast);
            checkedRows += fast.Count;
            bareSeen |= fast.Any(r => r.User == bareId.ToString());
        }
        Assert.True(checkedRows > 500);
        Assert.True(bareSeen);
    }
}
