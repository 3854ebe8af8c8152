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

    [Fact]
    public async Task Invitations_that_end_without_a_join_are_announced_with_their_guests()
    {
        var (_, owner, _) = await fx.RegisteredAsync();
        var (_, member, _) = await fx.RegisteredAsync();
        var guests = new List<(Guid Id, string Token)>();
        for (var i = 0; i < 6; i++)
        {
            var (id, token, _) = await fx.RegisteredAsync();
            guests.Add((id, token));
        }
        var group = await GroupsFlow.CreateAsync(fx, owner);
        await (await fx.Client.PostJson($"/api/v1/groups/{group}/join", new { }, member)).AssertStatus(201);
        async Task InviteAsync(string by, Guid guest) =>
            await (
                await fx.Client.PostJson($"/api/v1/groups/{group}/invitations", new { user_id = guest }, by)
            ).AssertStatus(201);

        // Declined: the guest leaves it.
        await InviteAsync(owner, guests[0].Id);
        await (await fx.Client.PostJson($"/api/v1/groups/{group}/leave", new { }, guests[0].Token)).AssertStatus(204);
        Assert.Equal(1L, await EndedAsync(group, guests[0].Id));
        // Withdrawn by the owner.
        await InviteAsync(owner, guests[1].Id);
        await (
            await fx.Client.SendJson(HttpMethod.Delete, $"/api/v1/groups/{group}/members/{guests[1].Id}", null, owner)
        ).AssertStatus(204);
        Assert.Equal(1L, await EndedAsync(group, guests[1].Id));
        // Used up by a join: GroupMemberJoined says it, not this.
        await InviteAsync(member, guests[2].Id);
        await (await fx.Client.PostJson($"/api/v1/groups/{group}/join", new { }, guests[2].Token)).AssertStatus(201);
        Assert.Equal(0L, await EndedAsync(group, guests[2].Id));
        // Gone with their sender, who no longer decides once the group approves who joins.
        await InviteAsync(member, guests[3].Id);
        await (
            await fx.Client.SendJson(
                HttpMethod.Patch,
                $"/api/v1/groups/{group}",
                new { join_policy = "request" },
                owner
            )
        ).AssertStatus(200);
        Assert.Equal(1L, await EndedAsync(group, guests[3].Id));
        // Gone with their sender, who left.
        await (
            await fx.Client.SendJson(HttpMethod.Patch, $"/api/v1/groups/{group}", new { join_policy = "open" }, owner)
        ).AssertStatus(200);
        await InviteAsync(member, guests[4].Id);
        await (await fx.Client.PostJson($"/api/v1/groups/{group}/leave", new { }, member)).AssertStatus(204);
        Assert.Equal(1L, await EndedAsync(group, guests[4].Id));
        // Withdrawn by a block between the two.
        await InviteAsync(owner, guests[5].Id);
        await (await fx.Client.SendJson(HttpMethod.Put, $"/api/v1/blocks/{guests[5].Id}", null, owner)).AssertStatus(
            204
        );
        Assert.Equal(1L, await EndedAsync(group, guests[5].Id));
        await (await fx.Client.SendJson(HttpMethod.Delete, $"/api/v1/blocks/{guests[5].Id}", null, owner)).AssertStatus(
            204
        );
        // Gone with the group.
        await InviteAsync(owner, guests[5].Id);
        await (await fx.Client.SendJson(HttpMethod.Delete, $"/api/v1/groups/{group}", null, owner)).AssertStatus(204);
        Assert.Equal(2L, await EndedAsync(group, guests[5].Id));
    }

    [Fact]
    public async Task An_invitation_is_timed_under_the_group_s_lock_so_it_follows_an_end_committed_before_it()
    {
        var (_, owner, _) = await fx.RegisteredAsync();
        var (guestId, _, _) = await fx.RegisteredAsync();
        var group = await GroupsFlow.CreateAsync(fx, owner);
        // Another change of the group holds its row (a leave ending invitations, say) while the invitation waits.
        await using var connection = new Npgsql.NpgsqlConnection(fx.Resources.DatabaseConnectionString);
        await connection.OpenAsync();
        await using var holding = await connection.BeginTransactionAsync();
        await using (
            var lockRow = new Npgsql.NpgsqlCommand("SELECT 1 FROM groups WHERE id = @g FOR UPDATE", connection)
        )
        {
            lockRow.Parameters.AddWithValue("g", Guid.Parse(group));
            await lockRow.ExecuteNonQueryAsync();
        }
        var inviting = fx.Client.PostJson($"/api/v1/groups/{group}/invitations", new { user_id = guestId }, owner);
        await fx.SomeoneWaitsOnALockAsync("the invitation never waited on the group");
        fx.Clock.Advance(TimeSpan.FromMinutes(5));
        var committedBefore = fx.Clock.GetUtcNow();
        await holding.CommitAsync();

        var invitation = await (await inviting).AssertStatus(201);
        Assert.True(invitation["created_at"]!.GetValue<DateTimeOffset>() >= committedBefore);
    }

    // Announcements of exactly this guest's invitation ending.
    private Task<long> EndedAsync(string group, Guid guest) =>
        fx.ScalarAsync<long>(
            $"""
            SELECT count(*) FROM outbox_messages WHERE type LIKE '%.{nameof(GroupInvitationsEnded)},%'
                AND payload->>'groupId' = @g AND payload->'userIds' = jsonb_build_array(@u)
            """,
            ("g", group),
            ("u", guest.ToString())
        );

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
