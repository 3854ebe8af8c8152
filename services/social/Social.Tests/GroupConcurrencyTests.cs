namespace Community.Social.Tests;

/// <summary>member_count equals the membership rows however many joins, leaves and approvals run at once.</summary>
public sealed class GroupConcurrencyTests(SocialFixture fx) : IClassFixture<SocialFixture>
{
    [Fact]
    public async Task Fifty_joins_and_leaves_at_once_keep_member_count_equal_to_the_rows()
    {
        var (_, owner, _) = await fx.RegisteredAsync();
        var id = await GroupsFlow.CreateAsync(fx, owner);
        var people = new List<string>();
        for (var i = 0; i < 50; i++)
            people.Add((await fx.RegisteredAsync()).Token);
        // The first 25 are members already; at once they leave while 25 others join, and everyone asks twice.
        foreach (var token in people.Take(25))
            await (await fx.Client.PostJson($"/api/v1/groups/{id}/join", new { }, token)).AssertStatus(201);

        var calls = people
            .Take(25)
            .SelectMany(t => new[] { Leave(id, t), Leave(id, t) })
            .Concat(people.Skip(25).SelectMany(t => new[] { Join(id, t), Join(id, t) }));
        var answers = await Task.WhenAll(calls);
        Assert.All(answers, status => Assert.Contains(status, new[] { 200, 201, 204 }));

        var rows = await fx.ScalarAsync<long>(
            "SELECT count(*) FROM group_members WHERE group_id = @id",
            ("id", Guid.Parse(id))
        );
        Assert.Equal(26L, rows);
        Assert.Equal(
            (int)rows,
            await fx.ScalarAsync<int>("SELECT member_count FROM groups WHERE id = @id", ("id", Guid.Parse(id)))
        );
        Assert.Equal(25, answers.Count(s => s == 201));
    }

    [Fact]
    public async Task A_member_joining_again_while_leaving_gets_an_answer_never_a_500()
    {
        // The join finds the membership and commits, the leave commits, then the join answers: with the role it read.
        var (_, owner, _) = await fx.RegisteredAsync();
        var id = await GroupsFlow.CreateAsync(fx, owner);
        var people = new List<string>();
        for (var i = 0; i < 25; i++)
        {
            var token = (await fx.RegisteredAsync()).Token;
            await (await fx.Client.PostJson($"/api/v1/groups/{id}/join", new { }, token)).AssertStatus(201);
            people.Add(token);
        }

        var answers = await Task.WhenAll(people.SelectMany(t => new[] { Join(id, t), Leave(id, t), Join(id, t) }));
        Assert.All(answers, status => Assert.Contains(status, new[] { 200, 201, 204 }));
    }

    [Fact]
    public async Task A_role_change_and_a_join_are_stamped_when_they_hold_the_groups_lock()
    {
        // Messaging keeps, of two changes of a member, the one with the later time: each must read the time while it
        // holds the group's lock, so that the one that commits later carries the later time.
        var (_, owner, _) = await fx.RegisteredAsync();
        var id = await GroupsFlow.CreateAsync(fx, owner);
        var (memberId, member, _) = await fx.RegisteredAsync();
        var joined = await StampedUnderTheGroupsLockAsync(id, () => Join(id, member), 201);
        var promoted = await StampedUnderTheGroupsLockAsync(
            id,
            async () =>
                (int)
                    (
                        await fx.Client.SendJson(
                            HttpMethod.Patch,
                            $"/api/v1/groups/{id}/members/{memberId}",
                            new { role = "moderator" },
                            owner
                        )
                    ).StatusCode,
            200
        );

        await HeldLocks.AssertStampedAfterAsync(fx, joined, "GroupMemberJoined", "userId", memberId.ToString());
        await HeldLocks.AssertStampedAfterAsync(fx, promoted, "GroupMemberRoleChanged", "userId", memberId.ToString());
    }

    [Fact]
    public async Task An_invitation_and_a_paid_groups_approval_are_stamped_when_they_hold_the_pairs_lock()
    {
        // A block ends the invitations between its pair under the pair's lock alone (GroupInvitationsEnded), and
        // messaging tells of an invitation only when it is later than the guest's last ended one: an invitation
        // must read the time once it holds the pair's lock too, not only the group's.
        var (ownerId, owner, _) = await fx.RegisteredAsync();
        var (guestId, _, _) = await fx.RegisteredAsync();
        var (askerId, asker, _) = await fx.RegisteredAsync();
        var open = await GroupsFlow.CreateAsync(fx, owner);
        var invited = await HeldLocks.StampedUnderThePairsLockAsync(
            fx,
            ownerId,
            guestId,
            async () =>
                await (
                    await fx.Client.PostJson($"/api/v1/groups/{open}/invitations", new { user_id = guestId }, owner)
                ).AssertStatus(201)
        );
        // A paid group's approval is an invitation from its approver, made as one.
        var paid = await GroupsFlow.CreateAsync(fx, owner, policy: "request", priceCents: 1500, currency: "aed");
        await (await fx.Client.PostJson($"/api/v1/groups/{paid}/join", new { }, asker)).AssertStatus(202);
        var approved = await HeldLocks.StampedUnderThePairsLockAsync(
            fx,
            ownerId,
            askerId,
            async () =>
                await (
                    await fx.Client.PostJson($"/api/v1/groups/{paid}/requests/{askerId}/approve", new { }, owner)
                ).AssertStatus(200)
        );

        await HeldLocks.AssertStampedAfterAsync(fx, invited, "GroupInvitationSent", "userId", guestId.ToString());
        await HeldLocks.AssertStampedAfterAsync(fx, approved, "GroupJoinRequestDecided", "userId", askerId.ToString());
        Assert.True(
            await fx.ScalarAsync<bool>(
                "SELECT created_at >= @at FROM group_invitations WHERE group_id = @g AND user_id = @u",
                ("at", approved),
                ("g", Guid.Parse(paid)),
                ("u", askerId)
            )
        );
    }

    /// <summary>Sends <paramref name="change"/> holding the group's row, as a change of its members locks it.</summary>
    private Task<DateTimeOffset> StampedUnderTheGroupsLockAsync(string id, Func<Task<int>> change, int status) =>
        HeldLocks.StampedWhileHeldAsync(
            fx,
            "SELECT 1 FROM groups WHERE id = @p FOR UPDATE",
            Guid.Parse(id),
            "%FROM groups WHERE id%FOR NO KEY UPDATE%",
            async () => Assert.Equal(status, await change())
        );

    [Fact]
    public async Task Two_approvals_at_once_admit_once()
    {
        var (_, owner, _) = await fx.RegisteredAsync();
        var (modId, mod, _) = await fx.RegisteredAsync();
        var id = await GroupsFlow.CreateAsync(fx, owner, policy: "request");
        await (await fx.Client.PostJson($"/api/v1/groups/{id}/join", new { }, mod)).AssertStatus(202);
        await (await fx.Client.PostJson($"/api/v1/groups/{id}/requests/{modId}/approve", new { }, owner)).AssertStatus(
            200
        );
        await (
            await fx.Client.SendJson(
                HttpMethod.Patch,
                $"/api/v1/groups/{id}/members/{modId}",
                new { role = "moderator" },
                owner
            )
        ).AssertStatus(200);
        for (var round = 0; round < 5; round++)
        {
            var (userId, user, _) = await fx.RegisteredAsync();
            await (await fx.Client.PostJson($"/api/v1/groups/{id}/join", new { }, user)).AssertStatus(202);
            var answers = await Task.WhenAll(
                fx.Client.PostJson($"/api/v1/groups/{id}/requests/{userId}/approve", new { }, owner),
                fx.Client.PostJson($"/api/v1/groups/{id}/requests/{userId}/approve", new { }, mod)
            );
            Assert.All(answers, r => Assert.Equal(200, (int)r.StatusCode));
            Assert.Equal(
                1L,
                await fx.ScalarAsync<long>(
                    """
                    SELECT count(*) FROM outbox_messages WHERE type LIKE '%.GroupMemberJoined,%'
                        AND payload->>'groupId' = @g AND payload->>'userId' = @u
                    """,
                    ("g", id),
                    ("u", userId.ToString())
                )
            );
        }
        var rows = await fx.ScalarAsync<long>(
            "SELECT count(*) FROM group_members WHERE group_id = @id",
            ("id", Guid.Parse(id))
        );
        Assert.Equal(7L, rows);
        Assert.Equal(
            (int)rows,
            await fx.ScalarAsync<int>("SELECT member_count FROM groups WHERE id = @id", ("id", Guid.Parse(id)))
        );
    }

    private async Task<int> Join(string id, string token) =>
        (int)(await fx.Client.PostJson($"/api/v1/groups/{id}/join", new { }, token)).StatusCode;

    private async Task<int> Leave(string id, string token) =>
        (int)(await fx.Client.PostJson($"/api/v1/groups/{id}/leave", new { }, token)).StatusCode;

    /// <summary>
    /// A block withdraws the invitations the two sent each other: a join on such an invitation at the same moment
    /// waits for the block and is then refused, never let in on the word the block took back.
    /// </summary>
    [Fact]
    public async Task A_join_on_an_invitation_a_block_is_withdrawing_waits_for_it_and_lets_no_one_in()
    {
        var (_, owner, _) = await fx.RegisteredAsync();
        var group = await GroupsFlow.CreateAsync(fx, owner, policy: "invite");
        var (guestId, guest, _) = await fx.RegisteredAsync();
        await (
            await fx.Client.PostJson($"/api/v1/groups/{group}/invitations", new { user_id = guestId }, owner)
        ).AssertStatus(201);

        // The block's withdrawal, not committed yet, while the guest joins.
        await HeldLocks.StampedWhileHeldAsync(
            fx,
            $"DELETE FROM group_invitations WHERE group_id = @p AND user_id = '{guestId}'",
            Guid.Parse(group),
            "%FROM group_invitations WHERE group_id%FOR UPDATE%",
            async () =>
                await (await fx.Client.PostJson($"/api/v1/groups/{group}/join", new { }, guest)).AssertProblem(403)
        );
        Assert.Equal(0L, await GroupsFlow.MemberRowsAsync(fx, group, guestId));
    }
}
