using Community.Contracts.Events;

namespace Community.Social.Tests;

/// <summary>What other services' events do to groups and activity; replays change nothing twice.</summary>
public sealed class GroupConsumersTests(SocialFixture fx) : IClassFixture<SocialFixture>
{
    [Fact]
    public async Task A_deleted_owner_hands_each_group_to_the_longest_standing_moderator_or_closes_it()
    {
        var (ownerId, owner, _) = await fx.RegisteredAsync();
        var (firstModId, firstMod, _) = await fx.RegisteredAsync();
        var (secondModId, secondMod, _) = await fx.RegisteredAsync();
        var (_, member, _) = await fx.RegisteredAsync();
        var kept = await GroupsFlow.CreateAsync(fx, owner);
        var closed = await GroupsFlow.CreateAsync(fx, owner);
        var joinedElsewhere = await GroupsFlow.CreateAsync(fx, member);
        foreach (var token in new[] { firstMod, secondMod, member })
        {
            await (await fx.Client.PostJson($"/api/v1/groups/{kept}/join", new { }, token)).AssertStatus(201);
            fx.Clock.Advance(TimeSpan.FromMinutes(1));
        }
        await (await fx.Client.PostJson($"/api/v1/groups/{closed}/join", new { }, member)).AssertStatus(201);
        await (await fx.Client.PostJson($"/api/v1/groups/{joinedElsewhere}/join", new { }, owner)).AssertStatus(201);
        // The second moderator was promoted first; joining earlier is what counts.
        foreach (var modId in new[] { secondModId, firstModId })
            await (
                await fx.Client.SendJson(
                    HttpMethod.Patch,
                    $"/api/v1/groups/{kept}/members/{modId}",
                    new { role = "moderator" },
                    owner
                )
            ).AssertStatus(200);

        var deleted = new UserDeleted(Guid.NewGuid(), fx.Clock.GetUtcNow(), ownerId);
        await fx.DeliverAsync(deleted);
        await fx.PublishAsync(deleted);

        var group = await (await fx.Client.Get($"/api/v1/groups/{kept}", member)).AssertStatus(200);
        Assert.Equal(firstModId.ToString(), group["owner"]!["user_id"]!.GetValue<string>());
        Assert.Equal(3, group["member_count"]!.GetValue<int>());
        await (await fx.Client.Get($"/api/v1/groups/{closed}", member)).AssertProblem(404);
        Assert.Equal(
            1,
            (await (await fx.Client.Get($"/api/v1/groups/{joinedElsewhere}", member)).AssertStatus(200))[
                "member_count"
            ]!.GetValue<int>()
        );
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>("SELECT count(*) FROM group_members WHERE user_id = @u", ("u", ownerId))
        );
        Assert.Equal(
            1L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM outbox_messages WHERE type LIKE '%.GroupDeleted,%' AND payload->>'groupId' = @g",
                ("g", closed)
            )
        );
        Assert.Equal(
            1L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM outbox_messages WHERE type LIKE '%.GroupUpdated,%' AND payload->>'groupId' = @g",
                ("g", kept)
            )
        );
        Assert.Equal(
            1L,
            await fx.ScalarAsync<long>(
                """
                SELECT count(*) FROM outbox_messages WHERE type LIKE '%.GroupMemberRoleChanged,%'
                    AND payload->>'groupId' = @g AND payload->>'role' = 'owner'
                """,
                ("g", kept)
            )
        );
        await (await fx.Client.PostJson($"/api/v1/groups/{kept}/leave", new { }, firstMod)).AssertProblem(409);
    }

    [Fact]
    public async Task Check_ins_count_as_events_attended_once_each()
    {
        var (userId, _, _) = await fx.RegisteredAsync();
        var (_, viewer, _) = await fx.RegisteredAsync();
        var eventId = Guid.NewGuid();
        var arrival = new ArrivalRecorded(
            Guid.NewGuid(),
            fx.Clock.GetUtcNow(),
            Guid.NewGuid(),
            eventId,
            userId,
            fx.Clock.GetUtcNow()
        );
        await fx.DeliverAsync(arrival);
        await fx.PublishAsync(arrival);
        await fx.DeliverAsync(arrival with { MessageId = Guid.NewGuid() });
        await fx.DeliverAsync(
            new ArrivalRecorded(
                Guid.NewGuid(),
                fx.Clock.GetUtcNow(),
                Guid.NewGuid(),
                Guid.NewGuid(),
                userId,
                fx.Clock.GetUtcNow()
            )
        );
        var activity = await (await fx.Client.Get($"/api/v1/profiles/{userId}/activity", viewer)).AssertStatus(200);
        Assert.Equal(2, activity["events_attended"]!.GetValue<int>());
    }
}
