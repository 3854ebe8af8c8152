using Npgsql;

namespace Community.Social.Tests;

/// <summary>
/// Accounts of one group erased at about the same time: whoever the group passes to, it never stays with an erased
/// account.
/// </summary>
public sealed class GroupErasureRaceTests(SocialFixture fx) : IClassFixture<SocialFixture>
{
    [Fact]
    public async Task A_group_handed_to_a_moderator_while_their_own_erasure_waits_is_handed_on_and_they_leave_it()
    {
        var (ownerId, owner, _) = await fx.RegisteredAsync();
        var (moderatorId, moderator, _) = await fx.RegisteredAsync();
        var (nextId, next, _) = await fx.RegisteredAsync();
        var group = Guid.Parse(await GroupsFlow.CreateAsync(fx, owner));
        await ModeratorsAsync(group, owner, moderator, moderatorId, next, nextId);

        // The owner's erasure holds the group's row when the moderator's deletion arrives; once that erasure waits for
        // the row, the owner's hands the group to the moderator (the longest-standing one), leaves it, and commits.
        Task erasing;
        await using (var other = new NpgsqlConnection(fx.Resources.DatabaseConnectionString))
        {
            await other.OpenAsync();
            await using var ownerErasure = await other.BeginTransactionAsync();
            await ExecuteAsync(other, "SELECT 1 FROM groups WHERE id = @g FOR NO KEY UPDATE", ("g", group));
            erasing = fx.DeliverAsync(new UserDeleted(Guid.NewGuid(), fx.Tick(), moderatorId));
            await Eventually.TrueAsync(
                async () =>
                    await fx.ScalarAsync<long>(
                        """
                        SELECT count(*) FROM pg_stat_activity
                        WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE
                            '%FROM groups WHERE id = % FOR NO KEY UPDATE%'
                        """
                    ) > 0,
                "the moderator's erasure never waited for the group's row"
            );
            await ExecuteAsync(
                other,
                "UPDATE groups SET owner_id = @m, member_count = member_count - 1 WHERE id = @g",
                ("g", group),
                ("m", moderatorId)
            );
            await ExecuteAsync(
                other,
                "UPDATE group_members SET role = 'owner' WHERE group_id = @g AND user_id = @m",
                ("g", group),
                ("m", moderatorId)
            );
            await ExecuteAsync(
                other,
                "DELETE FROM group_members WHERE group_id = @g AND user_id = @o",
                ("g", group),
                ("o", ownerId)
            );
            await ExecuteAsync(other, "UPDATE user_profiles SET deleted_at = now() WHERE user_id = @o", ("o", ownerId));
            await ownerErasure.CommitAsync();
        }
        await erasing;

        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>("SELECT count(*) FROM groups WHERE owner_id = @m", ("m", moderatorId))
        );
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>("SELECT count(*) FROM group_members WHERE user_id = @m", ("m", moderatorId))
        );
        Assert.Equal(nextId, await fx.ScalarAsync<Guid>("SELECT owner_id FROM groups WHERE id = @g", ("g", group)));
        Assert.Equal(
            "owner",
            await fx.ScalarAsync<string>(
                "SELECT role FROM group_members WHERE group_id = @g AND user_id = @n",
                ("g", group),
                ("n", nextId)
            )
        );
        Assert.Equal(1, await fx.ScalarAsync<int>("SELECT member_count FROM groups WHERE id = @g", ("g", group)));
    }

    [Fact]
    public async Task A_deleted_owners_group_passes_over_a_moderator_whose_account_is_deleted_already()
    {
        var (ownerId, owner, _) = await fx.RegisteredAsync();
        var (goneId, gone, _) = await fx.RegisteredAsync();
        var (nextId, next, _) = await fx.RegisteredAsync();
        var group = Guid.Parse(await GroupsFlow.CreateAsync(fx, owner));
        await ModeratorsAsync(group, owner, gone, goneId, next, nextId);
        // The longest-standing moderator is a tombstone whose membership is still there.
        await fx.ExecuteAsync("UPDATE user_profiles SET deleted_at = now() WHERE user_id = @u", ("u", goneId));

        await fx.DeliverAsync(new UserDeleted(Guid.NewGuid(), fx.Tick(), ownerId));

        Assert.Equal(nextId, await fx.ScalarAsync<Guid>("SELECT owner_id FROM groups WHERE id = @g", ("g", group)));
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>("SELECT count(*) FROM group_members WHERE user_id = @o", ("o", ownerId))
        );
    }

    /// <summary>
    /// A role given after identity deleted the account and before social erased it carries a later time than the
    /// deletion: the departure the erasure publishes is later still, so services that order a member's changes by
    /// time (messaging) end with the departure.
    /// </summary>
    [Fact]
    public async Task The_departure_of_an_erased_account_is_later_than_a_role_given_after_its_deletion()
    {
        var (_, owner, _) = await fx.RegisteredAsync();
        var (memberId, member, _) = await fx.RegisteredAsync();
        var group = Guid.Parse(await GroupsFlow.CreateAsync(fx, owner));
        await (await fx.Client.PostJson($"/api/v1/groups/{group}/join", new { }, member)).AssertStatus(201);
        var deletedAt = fx.Tick();
        fx.Clock.Advance(TimeSpan.FromSeconds(5));
        await (
            await fx.Client.SendJson(
                HttpMethod.Patch,
                $"/api/v1/groups/{group}/members/{memberId}",
                new { role = "moderator" },
                owner
            )
        ).AssertStatus(200);

        fx.Clock.Advance(TimeSpan.FromSeconds(1));
        await fx.DeliverAsync(new UserDeleted(Guid.NewGuid(), deletedAt, memberId));

        var times = await fx.ScalarAsync<string>(
            """
            SELECT string_agg(split_part(type, ',', 1), ' < ' ORDER BY (payload->>'occurredAt')::timestamptz)
            FROM outbox_messages
            WHERE (type LIKE '%.GroupMemberRoleChanged,%' OR type LIKE '%.GroupMemberLeft,%')
                AND payload->>'groupId' = @g AND payload->>'userId' = @u
            """,
            ("g", group.ToString()),
            ("u", memberId.ToString())
        );
        Assert.Equal(
            "Community.Contracts.Social.GroupMemberRoleChanged < Community.Contracts.Social.GroupMemberLeft",
            times
        );
    }

    /// <summary>
    /// A manager withdrawing an invitation in a group that approves who joins starts a wait for its guest
    /// (request_cooldowns): withdrawn while the guest's account is being erased, that wait is erased with it.
    /// </summary>
    [Fact]
    public async Task An_invitation_withdrawn_while_its_guest_is_erased_leaves_no_wait_naming_them()
    {
        var (_, owner, _) = await fx.RegisteredAsync();
        var (guestId, _, _) = await fx.RegisteredAsync();
        var group = Guid.Parse(await GroupsFlow.CreateAsync(fx, owner, policy: "request"));
        await (
            await fx.Client.PostJson($"/api/v1/groups/{group}/invitations", new { user_id = guestId }, owner)
        ).AssertStatus(201);

        // The invitation's row held: the owner's removal locks the group and waits for the row, then the erasure
        // arrives; once both wait, the row is let go.
        Task<HttpResponseMessage> removing;
        Task erasing;
        await using (var holder = new NpgsqlConnection(fx.Resources.DatabaseConnectionString))
        {
            await holder.OpenAsync();
            await using var hold = await holder.BeginTransactionAsync();
            await ExecuteAsync(
                holder,
                "SELECT 1 FROM group_invitations WHERE group_id = @g AND user_id = @u FOR UPDATE",
                ("g", group),
                ("u", guestId)
            );
            removing = fx.Client.SendJson(HttpMethod.Delete, $"/api/v1/groups/{group}/members/{guestId}", null, owner);
            await LockWaitersAsync(1, "the removal never waited for the invitation's row");
            erasing = fx.DeliverAsync(new UserDeleted(Guid.NewGuid(), fx.Tick(), guestId));
            await LockWaitersAsync(2, "the erasure never waited");
            await hold.CommitAsync();
        }
        await (await removing).AssertStatus(204);
        await erasing;

        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM request_cooldowns WHERE asker_id = @u OR target_id = @u",
                ("u", guestId)
            )
        );
    }

    /// <summary>Waits until <paramref name="count"/> transactions of this database wait for a lock.</summary>
    private Task LockWaitersAsync(long count, string failure) =>
        Eventually.TrueAsync(
            async () =>
                await fx.ScalarAsync<long>(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                        + "AND wait_event_type = 'Lock'"
                ) >= count,
            failure
        );

    /// <summary>The first member joins before the second; the owner makes both moderators.</summary>
    private async Task ModeratorsAsync(
        Guid group,
        string owner,
        string first,
        Guid firstId,
        string second,
        Guid secondId
    )
    {
        foreach (var token in new[] { first, second })
        {
            await (await fx.Client.PostJson($"/api/v1/groups/{group}/join", new { }, token)).AssertStatus(201);
            fx.Clock.Advance(TimeSpan.FromMinutes(1));
        }
        foreach (var userId in new[] { firstId, secondId })
            await (
                await fx.Client.SendJson(
                    HttpMethod.Patch,
                    $"/api/v1/groups/{group}/members/{userId}",
                    new { role = "moderator" },
                    owner
                )
            ).AssertStatus(200);
    }

    private static async Task ExecuteAsync(
        NpgsqlConnection connection,
        string sql,
        params (string Name, object Value)[] parameters
    )
    {
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
            command.Parameters.AddWithValue(name, value);
        await command.ExecuteNonQueryAsync();
    }
}
