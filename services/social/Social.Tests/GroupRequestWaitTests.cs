using Community.Social.Data;

namespace Community.Social.Tests;

/// <summary>
/// Asking to join a group again after a request withdrawn or turned down, or after being removed: a wait, so the
/// group's admins are not notified on every turn. Its own class: the last test moves the clock by weeks.
/// </summary>
public sealed class GroupRequestWaitTests(SocialFixture fx) : IClassFixture<SocialFixture>
{
    /// <summary>
    /// In a group whose members invite, an invitation is the way in: a member's invitation of someone the owner or a
    /// moderator just removed would end their wait and let them straight back in. Only those who decide may.
    /// </summary>
    [Fact]
    public async Task Someone_removed_is_invited_back_by_the_owner_or_a_moderator_only_until_the_wait_is_over()
    {
        var (_, owner, _) = await fx.RegisteredAsync();
        var group = await GroupsFlow.CreateAsync(fx, owner, visibility: "secret", policy: "invite");
        var (memberId, member, _) = await fx.RegisteredAsync();
        var (removedId, removed, _) = await fx.RegisteredAsync();
        Task<HttpResponseMessage> Invite(Guid userId, string by) =>
            fx.Client.PostJson($"/api/v1/groups/{group}/invitations", new { user_id = userId }, by);
        foreach (var (id, token) in new[] { (memberId, member), (removedId, removed) })
        {
            await (await Invite(id, owner)).AssertStatus(201);
            await (await fx.Client.PostJson($"/api/v1/groups/{group}/join", new { }, token)).AssertStatus(201);
        }
        await (
            await fx.Client.SendJson(HttpMethod.Delete, $"/api/v1/groups/{group}/members/{removedId}", null, owner)
        ).AssertStatus(204);

        var refused = await (await Invite(removedId, member)).AssertProblem(403);
        Assert.Equal(
            "Only the group's owner and moderators may invite this person for now.",
            refused["detail"]!.GetValue<string>()
        );
        // the secret group stays unknown to them, and they cannot join
        await (await fx.Client.Get($"/api/v1/groups/{group}", removed)).AssertProblem(404);
        // a member invites others as ever; the owner may ask the removed one back
        var (otherId, _, _) = await fx.RegisteredAsync();
        await (await Invite(otherId, member)).AssertStatus(201);
        await (await Invite(removedId, owner)).AssertStatus(201);
        await (await fx.Client.PostJson($"/api/v1/groups/{group}/join", new { }, removed)).AssertStatus(201);
    }

    /// <summary>An open group asks no one, yet a removal from it holds: not undone by joining again at once.</summary>
    [Fact]
    public async Task Someone_removed_from_an_open_group_joins_again_only_after_the_wait_or_when_invited_back()
    {
        var (_, owner, _) = await fx.RegisteredAsync();
        var group = await GroupsFlow.CreateAsync(fx, owner);
        var (removedId, removed, _) = await fx.RegisteredAsync();
        var (_, leaver, _) = await fx.RegisteredAsync();
        Task<HttpResponseMessage> Join(string token) =>
            fx.Client.PostJson($"/api/v1/groups/{group}/join", new { }, token);
        await (await Join(removed)).AssertStatus(201);
        await (await Join(leaver)).AssertStatus(201);
        await (
            await fx.Client.SendJson(HttpMethod.Delete, $"/api/v1/groups/{group}/members/{removedId}", null, owner)
        ).AssertStatus(204);
        await (await fx.Client.PostJson($"/api/v1/groups/{group}/leave", new { }, leaver)).AssertStatus(204);

        await RequestWaits.AssertRefusedAsync(
            await Join(removed),
            "withdrawn or turned down, your invitation to it was withdrawn, or you were removed"
        );
        Assert.Equal(0L, await GroupsFlow.MemberRowsAsync(fx, group, removedId));
        // Leaving of one's own accord waits for nothing.
        await (await Join(leaver)).AssertStatus(201);
        // The owner asking them back ends the wait.
        await (
            await fx.Client.PostJson($"/api/v1/groups/{group}/invitations", new { user_id = removedId }, owner)
        ).AssertStatus(201);
        await (await Join(removed)).AssertStatus(201);
    }

    /// <summary>
    /// A declined invitation waits before it is sent again, as a request turned down does: inviting and being declined
    /// would otherwise notify the person invited on every turn.
    /// </summary>
    [Fact]
    public async Task An_invitation_declined_is_sent_again_only_after_the_wait()
    {
        var (ownerId, owner, _) = await fx.RegisteredAsync();
        var group = await GroupsFlow.CreateAsync(fx, owner, policy: "invite");
        var (memberId, member, _) = await fx.RegisteredAsync();
        var (guestId, guest, _) = await fx.RegisteredAsync();
        Task<HttpResponseMessage> Invite(string to, Guid userId, string by) =>
            fx.Client.PostJson($"/api/v1/groups/{to}/invitations", new { user_id = userId }, by);
        Task<HttpResponseMessage> Post(string url, string token) => fx.Client.PostJson(url, new { }, token);
        Task<long> SentAsync(string to, Guid userId) =>
            fx.ScalarAsync<long>(
                """
                SELECT count(*) FROM outbox_messages WHERE type LIKE '%.GroupInvitationSent,%'
                    AND payload->>'groupId' = @g AND payload->>'userId' = @u
                """,
                ("g", to),
                ("u", userId.ToString())
            );
        Task<long> WaitsAsync(Guid userId) =>
            fx.ScalarAsync<long>(
                "SELECT count(*) FROM request_cooldowns WHERE kind = 'invitation' AND target_id = @u",
                ("u", userId)
            );
        await (await Invite(group, memberId, owner)).AssertStatus(201);
        await (await Post($"/api/v1/groups/{group}/join", member)).AssertStatus(201);

        await (await Invite(group, guestId, owner)).AssertStatus(201);
        await (await Post($"/api/v1/groups/{group}/leave", guest)).AssertStatus(204);
        // Refused to whoever invites, and nobody is told of a new invitation.
        foreach (var by in new[] { owner, member })
            await RequestWaits.AssertRefusedAsync(
                await Invite(group, guestId, by),
                "This person declined an invitation to this group"
            );
        Assert.Equal(1L, await SentAsync(group, guestId));
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM group_invitations WHERE group_id = @g AND user_id = @u",
                ("g", Guid.Parse(group)),
                ("u", guestId)
            )
        );
        // Another group invites them as ever; joining a group ends its wait.
        var open = await GroupsFlow.CreateAsync(fx, owner);
        await (await Invite(open, guestId, owner)).AssertStatus(201);
        await (await Post($"/api/v1/groups/{open}/leave", guest)).AssertStatus(204);
        await RequestWaits.AssertRefusedAsync(
            await Invite(open, guestId, owner),
            "This person declined an invitation to this group"
        );
        await (await Post($"/api/v1/groups/{open}/join", guest)).AssertStatus(201);
        await (await Post($"/api/v1/groups/{open}/leave", guest)).AssertStatus(204);
        await (await Invite(open, guestId, owner)).AssertStatus(201);
        // A deleted group's waits go with it, and so do an erased account's.
        var deleted = await GroupsFlow.CreateAsync(fx, owner);
        await (await Invite(deleted, guestId, owner)).AssertStatus(201);
        await (await Post($"/api/v1/groups/{deleted}/leave", guest)).AssertStatus(204);
        Assert.Equal(2L, await WaitsAsync(guestId));
        await (await fx.Client.SendJson(HttpMethod.Delete, $"/api/v1/groups/{deleted}", null, owner)).AssertStatus(204);
        Assert.Equal(1L, await WaitsAsync(guestId));
        var (erasedId, erased, _) = await fx.RegisteredAsync();
        await (await Invite(group, erasedId, owner)).AssertStatus(201);
        await (await Post($"/api/v1/groups/{group}/leave", erased)).AssertStatus(204);
        Assert.Equal(1L, await WaitsAsync(erasedId));
        await fx.DeliverAsync(new UserDeleted(Guid.NewGuid(), fx.Clock.GetUtcNow(), erasedId));
        Assert.Equal(0L, await WaitsAsync(erasedId));

        // Once the wait is over, they may be invited again (tokens issued on the moved clock).
        fx.Clock.Advance(RequestCooldowns.Length + TimeSpan.FromDays(1));
        await (await Invite(group, guestId, fx.Tokens.Issue(ownerId))).AssertStatus(201);
    }

    [Fact]
    public async Task A_request_turned_down_takes_the_invitation_a_manager_sent_meanwhile_with_it()
    {
        var (_, owner, _) = await fx.RegisteredAsync();
        var group = await GroupsFlow.CreateAsync(fx, owner, policy: "request");
        var (userId, user, _) = await fx.RegisteredAsync();
        Task<HttpResponseMessage> Post(string url, object body, string token) => fx.Client.PostJson(url, body, token);
        await (await Post($"/api/v1/groups/{group}/join", new { }, user)).AssertStatus(202);
        await (await Post($"/api/v1/groups/{group}/invitations", new { user_id = userId }, owner)).AssertStatus(201);
        await (await Post($"/api/v1/groups/{group}/requests/{userId}/reject", new { }, owner)).AssertStatus(204);

        // Told it was declined, with a wait: an invitation sent meanwhile does not let them in after all.
        await RequestWaits.AssertRefusedAsync(
            await Post($"/api/v1/groups/{group}/join", new { }, user),
            "withdrawn or turned down, your invitation to it was withdrawn, or you were removed"
        );
        Assert.Equal(0L, await GroupsFlow.MemberRowsAsync(fx, group, userId));
        // And their "invited you" asks nothing more of them.
        Assert.Equal(
            1L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM outbox_messages WHERE type LIKE '%.GroupInvitationsEnded,%' "
                    + "AND payload->>'groupId' = @g",
                ("g", group)
            )
        );
    }

    [Fact]
    public async Task A_request_withdrawn_turned_down_or_a_removal_is_asked_again_only_after_the_wait()
    {
        var (_, owner, _) = await fx.RegisteredAsync();
        var group = await GroupsFlow.CreateAsync(fx, owner, policy: "request");
        var (aId, a, _) = await fx.RegisteredAsync();
        var (bId, b, _) = await fx.RegisteredAsync();
        var (cId, c, _) = await fx.RegisteredAsync();
        var (dId, d, _) = await fx.RegisteredAsync();
        async Task AskAsync(string token, string? to = null) =>
            await (await fx.Client.PostJson($"/api/v1/groups/{to ?? group}/join", new { }, token)).AssertStatus(202);
        async Task RefusedAsync(string token) =>
            await RequestWaits.AssertRefusedAsync(
                await fx.Client.PostJson($"/api/v1/groups/{group}/join", new { }, token),
                "withdrawn or turned down, your invitation to it was withdrawn, or you were removed"
            );
        async Task<long> AskedAsync(Guid userId) =>
            await fx.ScalarAsync<long>(
                """
                SELECT count(*) FROM outbox_messages WHERE type LIKE '%.GroupJoinRequested,%'
                    AND payload->>'groupId' = @g AND payload->>'userId' = @u
                """,
                ("g", group),
                ("u", userId.ToString())
            );
        async Task<long> PendingAsync(Guid userId) =>
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM group_requests WHERE group_id = @g AND user_id = @u",
                ("g", Guid.Parse(group)),
                ("u", userId)
            );
        Task<HttpResponseMessage> Post(string url, string token) => fx.Client.PostJson(url, new { }, token);

        // Withdrawn by leaving: asking again is refused, makes no request and notifies no one.
        await AskAsync(a);
        await (await Post($"/api/v1/groups/{group}/leave", a)).AssertStatus(204);
        await RefusedAsync(a);
        Assert.Equal(0L, await PendingAsync(aId));
        Assert.Equal(1L, await AskedAsync(aId));

        // Asking again while the request is pending is the same request; turned down, it waits.
        await AskAsync(b);
        await AskAsync(b);
        await (await Post($"/api/v1/groups/{group}/requests/{bId}/reject", owner)).AssertStatus(204);
        await RefusedAsync(b);
        Assert.Equal(1L, await AskedAsync(bId));
        // Another group is asked as ever.
        await AskAsync(b, await GroupsFlow.CreateAsync(fx, owner, policy: "request"));

        // Removed by the owner: asking to join again waits too.
        await AskAsync(c);
        await (await Post($"/api/v1/groups/{group}/requests/{cId}/approve", owner)).AssertStatus(200);
        await (
            await fx.Client.SendJson(HttpMethod.Delete, $"/api/v1/groups/{group}/members/{cId}", null, owner)
        ).AssertStatus(204);
        await RefusedAsync(c);

        // A paid group's approval is an invitation; withdrawn by the owner, asking again waits too.
        var paid = await GroupsFlow.CreateAsync(fx, owner, policy: "request", priceCents: 1500, currency: "EUR");
        await AskAsync(c, paid);
        await (await Post($"/api/v1/groups/{paid}/requests/{cId}/approve", owner)).AssertStatus(200);
        await (
            await fx.Client.SendJson(HttpMethod.Delete, $"/api/v1/groups/{paid}/members/{cId}", null, owner)
        ).AssertStatus(204);
        await RequestWaits.AssertRefusedAsync(
            await fx.Client.PostJson($"/api/v1/groups/{paid}/join", new { }, c),
            "withdrawn or turned down, your invitation to it was withdrawn, or you were removed"
        );

        // So does an invitation withdrawn by the owner, also one to someone who never asked.
        var (eId, e, _) = await fx.RegisteredAsync();
        await (
            await fx.Client.PostJson($"/api/v1/groups/{group}/invitations", new { user_id = eId }, owner)
        ).AssertStatus(201);
        await (
            await fx.Client.SendJson(HttpMethod.Delete, $"/api/v1/groups/{group}/members/{eId}", null, owner)
        ).AssertStatus(204);
        await RefusedAsync(e);
        // In a group without requests there is nothing to wait for: none is written.
        var invitationOnly = await GroupsFlow.CreateAsync(fx, owner, policy: "invite");
        await (
            await fx.Client.PostJson($"/api/v1/groups/{invitationOnly}/invitations", new { user_id = eId }, owner)
        ).AssertStatus(201);
        await (
            await fx.Client.SendJson(HttpMethod.Delete, $"/api/v1/groups/{invitationOnly}/members/{eId}", null, owner)
        ).AssertStatus(204);
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM request_cooldowns WHERE target_id = @g",
                ("g", Guid.Parse(invitationOnly))
            )
        );

        // A member who leaves starts no wait.
        await AskAsync(d);
        await (await Post($"/api/v1/groups/{group}/requests/{dId}/approve", owner)).AssertStatus(200);
        await (await Post($"/api/v1/groups/{group}/leave", d)).AssertStatus(204);
        await AskAsync(d);

        // An invitation ends the wait: the group asks them now. Declined (leave), it leaves them free to ask.
        await (
            await fx.Client.PostJson($"/api/v1/groups/{group}/invitations", new { user_id = aId }, owner)
        ).AssertStatus(201);
        await (await Post($"/api/v1/groups/{group}/leave", a)).AssertStatus(204);
        await AskAsync(a);

        // A deleted group's waits go with it.
        var deleted = await GroupsFlow.CreateAsync(fx, owner, policy: "request");
        await AskAsync(b, deleted);
        await (await Post($"/api/v1/groups/{deleted}/leave", b)).AssertStatus(204);
        async Task<long> WaitsForAsync(string groupId) =>
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM request_cooldowns WHERE kind = 'group' AND target_id = @g",
                ("g", Guid.Parse(groupId))
            );
        Assert.Equal(1L, await WaitsForAsync(deleted));
        await (await fx.Client.SendJson(HttpMethod.Delete, $"/api/v1/groups/{deleted}", null, owner)).AssertStatus(204);
        Assert.Equal(0L, await WaitsForAsync(deleted));

        // An erased account's waits go with it (c's two: the removal and the approval withdrawn).
        Assert.Equal(
            2L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM request_cooldowns WHERE kind = 'group' AND asker_id = @c",
                ("c", cId)
            )
        );
        await fx.DeliverAsync(new UserDeleted(Guid.NewGuid(), fx.Clock.GetUtcNow(), cId));
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>("SELECT count(*) FROM request_cooldowns WHERE asker_id = @c", ("c", cId))
        );

        // Once the wait is over, they may ask again (tokens issued on the moved clock).
        fx.Clock.Advance(RequestCooldowns.Length + TimeSpan.FromDays(1));
        // (The outbox is not counted here: its sent rows are swept once the moved clock makes them old.)
        await AskAsync(fx.Tokens.Issue(bId));
        Assert.Equal(1L, await PendingAsync(bId));
    }
}
