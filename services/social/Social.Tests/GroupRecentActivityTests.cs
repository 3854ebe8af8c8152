using System.Text.Json.Nodes;
using Community.Contracts.Messaging;

namespace Community.Social.Tests;

/// <summary>Seed 003's circle detail: a group's page carries its recent activity.</summary>
public sealed class GroupRecentActivityTests(SocialFixture fx) : IClassFixture<SocialFixture>
{
    [Fact]
    public async Task A_public_group_shows_its_latest_ten_joins_and_threads_newest_first_without_blocked_people()
    {
        var (ownerId, owner, _) = await fx.RegisteredAsync();
        var (_, viewer, _) = await fx.RegisteredAsync();
        var (_, outsider, _) = await fx.RegisteredAsync();
        var group = await GroupsFlow.CreateAsync(fx, owner);
        // A member (the first to join): threads are open to the members only.
        await (await fx.Client.PostJson($"/api/v1/groups/{group}/join", new { }, viewer)).AssertStatus(201);
        var joiners = new List<(Guid Id, string Token)>();
        for (var i = 0; i < 11; i++)
        {
            var (id, token, _) = await fx.RegisteredAsync();
            await (await fx.Client.PostJson($"/api/v1/groups/{group}/join", new { }, token)).AssertStatus(201);
            joiners.Add((id, token));
        }
        await ActivitiesAsync(group, 12);
        var thread = new NewThread(
            Guid.NewGuid(),
            fx.Clock.GetUtcNow(),
            Guid.NewGuid(),
            Guid.Parse(group),
            ownerId,
            "Saturday run?"
        );
        await fx.DeliverAsync(thread, "FeedNewThreadConsumer");

        var recent = (await GetAsync(group, viewer))["recent_activity"]!.AsArray();
        Assert.Equal(10, recent.Count);
        Assert.Equal("thread_started", recent[0]!["kind"]!.GetValue<string>());
        Assert.Equal(ownerId.ToString(), recent[0]!["actor"]!["user_id"]!.GetValue<string>());
        Assert.Equal("Saturday run?", recent[0]!["subject"]!["name"]!.GetValue<string>());
        // Joins newest first: the last nine joiners, the first one beyond the ten shown.
        Assert.Equal(
            joiners.Skip(2).Select(j => j.Id.ToString()).Reverse(),
            recent.Skip(1).Select(a => a!["actor"]!["user_id"]!.GetValue<string>())
        );
        Assert.All(recent.Skip(1), a => Assert.Equal("group_joined", a!["kind"]!.GetValue<string>()));
        var times = recent.Select(a => a!["occurred_at"]!.GetValue<DateTimeOffset>()).ToList();
        Assert.Equal(times.OrderDescending(), times);

        // Someone not in the group sees its joins, not its threads (nor their titles).
        var seenOutside = (await GetAsync(group, outsider))["recent_activity"]!.AsArray();
        Assert.Equal(10, seenOutside.Count);
        Assert.All(seenOutside, a => Assert.Equal("group_joined", a!["kind"]!.GetValue<string>()));

        // Blocked either way: their activity is not shown to me (and the next older one takes the place).
        await PeopleFlow.BlockAsync(fx, viewer, joiners[10].Id);
        var viewerId = (await (await fx.Client.Get("/api/v1/dashboard", viewer)).AssertStatus(200))[
            "user_id"
        ]!.GetValue<string>();
        await PeopleFlow.BlockAsync(fx, joiners[9].Token, Guid.Parse(viewerId));
        var afterBlocks = (await GetAsync(group, viewer))["recent_activity"]!.AsArray();
        var shown = afterBlocks.Select(a => a!["actor"]!["user_id"]!.GetValue<string>()).ToList();
        Assert.DoesNotContain(joiners[10].Id.ToString(), shown);
        Assert.DoesNotContain(joiners[9].Id.ToString(), shown);
        Assert.Contains(joiners[0].Id.ToString(), shown);
        Assert.Equal(10, afterBlocks.Count);

        // Lists do not carry it.
        var mine = await (await fx.Client.Get("/api/v1/groups/mine", owner)).AssertStatus(200);
        Assert.Null(mine["items"]![0]!["recent_activity"]);
    }

    [Fact]
    public async Task A_private_group_shows_its_activity_to_members_only()
    {
        var (_, owner, _) = await fx.RegisteredAsync();
        var (_, outsider, _) = await fx.RegisteredAsync();
        var (memberId, member, _) = await fx.RegisteredAsync();
        var group = await GroupsFlow.CreateAsync(fx, owner, visibility: "private", policy: "request");
        await (await fx.Client.PostJson($"/api/v1/groups/{group}/join", new { }, member)).AssertStatus(202);
        await (
            await fx.Client.PostJson($"/api/v1/groups/{group}/requests/{memberId}/approve", new { }, owner)
        ).AssertStatus(200);
        await ActivitiesAsync(group, 1);

        var seenByMember = (await GetAsync(group, member))["recent_activity"]!.AsArray();
        Assert.Equal(memberId.ToString(), Assert.Single(seenByMember)!["actor"]!["user_id"]!.GetValue<string>());
        Assert.Empty((await GetAsync(group, outsider))["recent_activity"]!.AsArray());
    }

    private async Task<JsonNode> GetAsync(string group, string token) =>
        await (await fx.Client.Get($"/api/v1/groups/{group}", token)).AssertStatus(200);

    private Task ActivitiesAsync(string group, int count) =>
        Eventually.TrueAsync(
            async () =>
                await fx.ScalarAsync<long>(
                    "SELECT count(*) FROM activities WHERE group_id = @g AND kind = 'group_joined'",
                    ("g", Guid.Parse(group))
                ) == count,
            $"the feed never recorded {count} joins"
        );
}
