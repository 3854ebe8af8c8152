using Community.Contracts.Payments;

namespace Community.Social.Tests;

/// <summary>
/// Discovery ranks a page in steps (the boosted alone, then the levels), one statement each: they read one snapshot, so
/// a change committed between two of them does not show on the page. Its own database: the lock below stops every
/// discovery read of the pairs' table.
/// </summary>
public sealed class DiscoverySnapshotTests(SocialFixture fx) : IClassFixture<SocialFixture>
{
    [Fact]
    public async Task A_boost_committed_between_a_pages_statements_does_not_drop_its_owner_from_the_page()
    {
        var region = "Snapshot " + Guid.NewGuid().ToString("N")[..8];
        var (_, me, _) = await fx.RegisteredAsync(region: region, interests: ["chess", "golf"]);
        var (boostedId, _, _) = await fx.RegisteredAsync(region: "Elsewhere", interests: ["chess"]);
        var (ownerId, _, _) = await fx.RegisteredAsync(region: region, interests: ["chess", "golf"]);
        for (var i = 0; i < 3; i++)
            await fx.RegisteredAsync(region: region, interests: ["golf"]);
        var now = fx.Clock.GetUtcNow();
        await fx.DeliverAsync(new BoostPurchased(Guid.NewGuid(), now, boostedId, now.AddDays(1)));
        // No region asked: the boosted alone first (one, short of the page), then the levels of the caller's region
        // at two shared interests, read from discovery_pairs (the owner among them), then the rest.
        const string query = "/api/v1/discover?limit=10";
        var before = await fx.WalkDiscoveryAsync(query, me);
        Assert.Equal((boostedId.ToString(), true), (before[0].User, before[0].Boosted));
        Assert.False(before.Single(r => r.User == ownerId.ToString()).Boosted);

        // The owner's boost, uncommitted, with the pairs' table locked: the page's first statements run and its
        // levels' wait (only a statement's first kilobyte shows in pg_stat_activity, before the pairs); the boost
        // commits with the lock's release.
        await using var boost = await fx.HoldAsync(
            "LOCK TABLE discovery_pairs IN ACCESS EXCLUSIVE MODE; "
                + "UPDATE user_profiles SET boosted_until = @until WHERE user_id = @id",
            ("until", now.AddDays(1)),
            ("id", ownerId)
        );
        var page = fx.WalkDiscoveryAsync(query, me);
        await fx.WaitingOnALockAsync("WITH near AS%", 1, "the page's levels never waited for the pairs' table");
        await boost.CommitAsync();

        // The page is the one from before the boost: the owner at their level, not missing from both steps.
        Assert.Equal(before, await page);
        var after = await fx.WalkDiscoveryAsync(query, me);
        // Then boosted, first of the two: two interests shared in the caller's region against one elsewhere.
        Assert.Equal(
            [(ownerId.ToString(), true), (boostedId.ToString(), true)],
            after.Take(2).Select(r => (r.User, r.Boosted))
        );
    }
}
