namespace Community.Social.Tests;

/// <summary>
/// What messaging learns from groups: role changes and join requests with their decisions, each announced once.
/// </summary>
public sealed class GroupAnnouncementsTests(SocialFixture fx) : IClassFixture<SocialFixture>
{
    [Fact]
    public async Task Role_changes_and_a_hand_over_announce_each_member_s_new_role()
    {
        var (ownerId, owner, _) = await fx.RegisteredAsync();
        var (userId, user, _) = await fx.RegisteredAsync();
        var group = await GroupsFlow.CreateAsync(fx, owner);
        await (await fx.Client.PostJson($"/api/v1/groups/{group}/join", new { }, user)).AssertStatus(201);

        await (
            await fx.Client.SendJson(
                HttpMethod.Patch,
                $"/api/v1/groups/{group}/members/{userId}",
                new { role = "moderator" },
                owner
            )
        ).AssertStatus(200);
        Assert.Equal(1L, await RoleChangedAsync(group, userId, "moderator"));
        // The role it already has: nothing to announce.
        await (
            await fx.Client.SendJson(
                HttpMethod.Patch,
                $"/api/v1/groups/{group}/members/{userId}",
                new { role = "moderator" },
                owner
            )
        ).AssertStatus(200);
        Assert.Equal(1L, await RoleChangedAsync(group, userId, "moderator"));

        await (
            await fx.Client.SendJson(
                HttpMethod.Patch,
                $"/api/v1/groups/{group}/members/{userId}",
                new { role = "owner" },
                owner
            )
        ).AssertStatus(200);
        Assert.Equal(1L, await RoleChangedAsync(group, userId, "owner"));
        Assert.Equal(1L, await RoleChangedAsync(group, ownerId, "moderator"));

        await (
            await fx.Client.SendJson(
                HttpMethod.Patch,
                $"/api/v1/groups/{group}/members/{ownerId}",
                new { role = "member" },
                user
            )
        ).AssertStatus(200);
        Assert.Equal(1L, await RoleChangedAsync(group, ownerId, "member"));
    }

    [Fact]
    public async Task A_deleted_owner_s_successor_is_announced_as_owner_once()
    {
        var (ownerId, owner, _) = await fx.RegisteredAsync();
        var (modId, mod, _) = await fx.RegisteredAsync();
        var group = await GroupsFlow.CreateAsync(fx, owner);
        await (await fx.Client.PostJson($"/api/v1/groups/{group}/join", new { }, mod)).AssertStatus(201);
        await (
            await fx.Client.SendJson(
                HttpMethod.Patch,
                $"/api/v1/groups/{group}/members/{modId}",
                new { role = "moderator" },
                owner
            )
        ).AssertStatus(200);

        var deleted = new UserDeleted(Guid.NewGuid(), fx.Clock.GetUtcNow(), ownerId);
        await fx.DeliverAsync(deleted);
        await fx.DeliverAsync(deleted with { MessageId = Guid.NewGuid() });

        Assert.Equal(1L, await RoleChangedAsync(group, modId, "owner"));
    }

    [Fact]
    public async Task A_request_to_join_is_announced_once_and_so_is_each_decision()
    {
        var (ownerId, owner, _) = await fx.RegisteredAsync();
        var (firstId, first, _) = await fx.RegisteredAsync();
        var (secondId, second, _) = await fx.RegisteredAsync();
        var group = await GroupsFlow.CreateAsync(fx, owner, policy: "request");

        await (
            await fx.Client.PostJson($"/api/v1/groups/{group}/join", new { reason = "I run daily" }, first)
        ).AssertStatus(202);
        await (
            await fx.Client.PostJson($"/api/v1/groups/{group}/join", new { reason = "Still keen" }, first)
        ).AssertStatus(202);
        await (await fx.Client.PostJson($"/api/v1/groups/{group}/join", new { }, second)).AssertStatus(202);
        Assert.Equal(
            1L,
            await OutboxAsync(nameof(GroupJoinRequested), group, firstId, "AND payload->>'reason' = 'I run daily'")
        );
        Assert.Equal(1L, await OutboxAsync(nameof(GroupJoinRequested), group, firstId));
        // it names who decides (the owner), for a consumer that does not know the group yet
        Assert.Equal(
            1L,
            await OutboxAsync(
                nameof(GroupJoinRequested),
                group,
                firstId,
                $"AND payload->'deciders' = '[\"{ownerId}\"]'::jsonb"
            )
        );
        Assert.Equal(
            1L,
            await OutboxAsync(nameof(GroupJoinRequested), group, secondId, "AND payload->>'reason' IS NULL")
        );

        await (
            await fx.Client.PostJson($"/api/v1/groups/{group}/requests/{firstId}/approve", new { }, owner)
        ).AssertStatus(200);
        await (
            await fx.Client.PostJson($"/api/v1/groups/{group}/requests/{firstId}/approve", new { }, owner)
        ).AssertStatus(200);
        await (
            await fx.Client.PostJson($"/api/v1/groups/{group}/requests/{secondId}/reject", new { }, owner)
        ).AssertStatus(204);
        Assert.Equal(
            1L,
            await OutboxAsync(nameof(GroupJoinRequestDecided), group, firstId, "AND payload->>'approved' = 'true'")
        );
        Assert.Equal(1L, await OutboxAsync(nameof(GroupJoinRequestDecided), group, firstId));
        Assert.Equal(
            1L,
            await OutboxAsync(nameof(GroupJoinRequestDecided), group, secondId, "AND payload->>'approved' = 'false'")
        );
        Assert.Equal(1L, await OutboxAsync(nameof(GroupJoinRequestDecided), group, secondId));

        // Ended undecided: withdrawn by leaving it, or moot once in by an invitation. Neither is a decision.
        var (thirdId, third, _) = await fx.RegisteredAsync();
        var (fourthId, fourth, _) = await fx.RegisteredAsync();
        foreach (var token in new[] { third, fourth })
            await (await fx.Client.PostJson($"/api/v1/groups/{group}/join", new { }, token)).AssertStatus(202);
        await (await fx.Client.PostJson($"/api/v1/groups/{group}/leave", new { }, third)).AssertStatus(204);
        await (
            await fx.Client.PostJson($"/api/v1/groups/{group}/invitations", new { user_id = fourthId }, owner)
        ).AssertStatus(201);
        await (await fx.Client.PostJson($"/api/v1/groups/{group}/join", new { }, fourth)).AssertStatus(201);
        foreach (var id in new[] { thirdId, fourthId })
        {
            Assert.Equal(1L, await OutboxAsync(nameof(GroupJoinRequestEnded), group, id));
            Assert.Equal(0L, await OutboxAsync(nameof(GroupJoinRequestDecided), group, id));
        }
        // an approval is a decision only
        Assert.Equal(0L, await OutboxAsync(nameof(GroupJoinRequestEnded), group, firstId));
    }

    private Task<long> RoleChangedAsync(string group, Guid userId, string role) =>
        OutboxAsync(nameof(GroupMemberRoleChanged), group, userId, $"AND payload->>'role' = '{role}'");

    private Task<long> OutboxAsync(string type, string group, Guid userId, string where = "") =>
        fx.ScalarAsync<long>(
            $"""
            SELECT count(*) FROM outbox_messages WHERE type LIKE '%.{type},%' AND payload->>'groupId' = @g
                AND payload->>'userId' = @u {where}
            """,
            ("g", group),
            ("u", userId.ToString())
        );
}
