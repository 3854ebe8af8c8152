using Community.Contracts.Payments;

namespace Community.Social.Tests;

/// <summary>Seed 003's priority visibility: elite before others of equal relevance, below paid boosts.</summary>
public sealed class DiscoveryEliteTests(SocialFixture fx) : IClassFixture<SocialFixture>
{
    [Fact]
    public async Task Elite_members_come_before_equally_relevant_others_but_after_boosts_and_more_relevant_people()
    {
        var region = "Elite " + Guid.NewGuid().ToString("N")[..8];
        var (_, me, _) = await fx.RegisteredAsync(region: region, interests: ["chess", "golf", "sailing"]);
        // Made in an order that puts the ids against the expected ranking where ids would break the tie.
        var (plainId, _, _) = await fx.RegisteredAsync(region: region, interests: ["chess", "golf"]);
        var (eliteId, _, _) = await fx.RegisteredAsync(region: region, interests: ["chess", "golf"]);
        var (boostedId, _, _) = await fx.RegisteredAsync(region: region, interests: ["chess", "golf"]);
        var (closerId, _, _) = await fx.RegisteredAsync(region: region, interests: ["chess", "golf", "sailing"]);
        var (farEliteId, _, _) = await fx.RegisteredAsync(region: region, interests: ["chess"]);
        var (secondPlainId, _, _) = await fx.RegisteredAsync(region: region, interests: ["chess", "golf"]);
        var now = fx.Clock.GetUtcNow();
        foreach (var id in new[] { eliteId, farEliteId })
            await fx.DeliverAsync(new SubscriptionChanged(Guid.NewGuid(), now, id, Tiers.Elite, now.AddDays(30)));
        await fx.DeliverAsync(new BoostPurchased(Guid.NewGuid(), now, boostedId, now.AddDays(1)));
        // A premium member is not elite: ranked with the rest of their score.
        await fx.DeliverAsync(
            new SubscriptionChanged(Guid.NewGuid(), now, secondPlainId, Tiers.Premium, now.AddDays(30))
        );

        var (low, high) = plainId.CompareTo(secondPlainId) > 0 ? (secondPlainId, plainId) : (plainId, secondPlainId);
        Guid[] expected = [boostedId, closerId, eliteId, high, low, farEliteId];
        var where = "region=" + Uri.EscapeDataString(region);
        // The region-and-interest shortcut, the general query with text, and the general query without an interest.
        foreach (var query in new[] { where + "&interest=chess", where + "&interest=chess&q=u", where })
        foreach (var limit in new[] { 1, 2, 50 })
        {
            var (ids, scores) = await PagesAsync(query, limit, me);
            Assert.Equal(expected, ids);
            Assert.Equal([36, 44, 36, 36, 36, 28], scores);
        }
    }

    [Fact]
    public async Task A_cursor_is_encrypted_pages_on_from_an_elite_member_and_a_made_up_or_malformed_one_is_400()
    {
        var region = "Elite cursor " + Guid.NewGuid().ToString("N")[..8];
        var (_, me, _) = await fx.RegisteredAsync(region: region, interests: ["chess"]);
        var equals = new List<Guid>();
        for (var i = 0; i < 3; i++)
            equals.Add((await fx.RegisteredAsync(region: region, interests: ["chess"])).Item1);
        // The elite one has the lowest id: the others, equally relevant, come after them only by being not elite.
        var eliteId = equals.Min();
        var now = fx.Clock.GetUtcNow();
        await fx.DeliverAsync(new SubscriptionChanged(Guid.NewGuid(), now, eliteId, Tiers.Elite, now.AddDays(30)));

        var where = "region=" + Uri.EscapeDataString(region);
        var page = await (await fx.Client.Get($"/api/v1/discover?{where}&limit=1", me)).AssertStatus(200);
        Assert.Equal(eliteId.ToString(), page["items"]![0]!["user_id"]!.GetValue<string>());
        // Encrypted: neither the person nor their tier can be read in it.
        var cursor = System.Text.Encoding.UTF8.GetString(
            System.Buffers.Text.Base64Url.DecodeFromChars(page["next_cursor"]!.GetValue<string>())
        );
        Assert.DoesNotContain(eliteId.ToString("N"), cursor);
        // Nor made up: a position written by the client (the tier of whoever it names) is refused, not ranked.
        var forged = System.Buffers.Text.Base64Url.EncodeToString(
            System.Text.Encoding.UTF8.GetBytes($"0_{page["items"]![0]!["compatibility_score"]}_1_{eliteId:N}")
        );
        await (await fx.Client.Get($"/api/v1/discover?{where}&limit=1&cursor={forged}", me)).AssertProblem(400);
        // Paged on from there, one by one, nobody is skipped.
        var (ids, _) = await PagesAsync(where, 1, me);
        Assert.Equal([eliteId, .. equals.Where(id => id != eliteId).OrderDescending()], ids);

        var bad = System.Buffers.Text.Base64Url.EncodeToString("0_36_2_0193f1d26c1e7a4b9d3e5f8a2b7c4e10"u8);
        var problem = await (
            await fx.Client.Get($"/api/v1/discover?cursor={Uri.EscapeDataString(bad)}", me)
        ).AssertProblem(400);
        Assert.NotNull(problem["errors"]!["cursor"]);
    }

    private async Task<(List<Guid> Ids, List<int> Scores)> PagesAsync(string query, int limit, string token)
    {
        var (ids, scores) = (new List<Guid>(), new List<int>());
        string? cursor = null;
        do
        {
            var page = await (
                await fx.Client.Get(
                    $"/api/v1/discover?{query}&limit={limit}" + (cursor is null ? "" : "&cursor=" + cursor),
                    token
                )
            ).AssertStatus(200);
            foreach (var item in page["items"]!.AsArray())
            {
                ids.Add(Guid.Parse(item!["user_id"]!.GetValue<string>()));
                scores.Add(item["compatibility_score"]!.GetValue<int>());
            }
            cursor = page["next_cursor"]?.GetValue<string>();
        } while (cursor is not null);
        return (ids, scores);
    }
}
