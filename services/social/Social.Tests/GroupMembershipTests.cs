namespace Community.Social.Tests;

/// <summary>Joining, leaving and running a group: join policies, secret and private groups, moderators.</summary>
public sealed class GroupMembershipTests(SocialFixture fx) : IClassFixture<SocialFixture>
{
    [Fact]
    public async Task Join_policies_open_request_invite_and_paid()
    {
        var (ownerId, owner, _) = await fx.RegisteredAsync();
        var (userId, user, _) = await fx.RegisteredAsync();
        var open = await GroupsFlow.CreateAsync(fx, owner);
        // The body (a reason) is optional.
        var joined = await (
            await fx.Client.SendJson(HttpMethod.Post, $"/api/v1/groups/{open}/join", null, user)
        ).AssertStatus(201);
        Assert.Equal("member", joined["status"]!.GetValue<string>());
        Assert.Equal(2, joined["member_count"]!.GetValue<int>());
        await (await fx.Client.PostJson($"/api/v1/groups/{open}/join", new { }, user)).AssertStatus(200);
        Assert.Equal(
            1L,
            await fx.ScalarAsync<long>(
                """
                SELECT count(*) FROM outbox_messages WHERE type LIKE '%.GroupMemberJoined,%'
                    AND payload->>'groupId' = @g AND payload->>'userId' = @u
                """,
                ("g", open),
                ("u", userId.ToString())
            )
        );

        var byRequest = await GroupsFlow.CreateAsync(fx, owner, policy: "request");
        var pending = await (
            await fx.Client.PostJson($"/api/v1/groups/{byRequest}/join", new { reason = "I run daily" }, user)
        ).AssertStatus(202);
        Assert.Equal("pending", pending["status"]!.GetValue<string>());
        Assert.Equal(1, pending["member_count"]!.GetValue<int>());
        Assert.Equal(
            "pending",
            (await (await fx.Client.Get($"/api/v1/groups/{byRequest}", user)).AssertStatus(200))[
                "membership_status"
            ]!.GetValue<string>()
        );
        var requests = await (
            await fx.Client.Get($"/api/v1/groups/{byRequest}/members?role=pending", owner)
        ).AssertStatus(200);
        Assert.Equal("I run daily", Assert.Single(requests["items"]!.AsArray())!["reason"]!.GetValue<string>());
        await (await fx.Client.Get($"/api/v1/groups/{byRequest}/members?role=pending", user)).AssertProblem(403);
        await (
            await fx.Client.PostJson($"/api/v1/groups/{byRequest}/requests/{userId}/approve", new { }, user)
        ).AssertProblem(403);
        var approved = await (
            await fx.Client.PostJson($"/api/v1/groups/{byRequest}/requests/{userId}/approve", new { }, owner)
        ).AssertStatus(200);
        Assert.Equal(2, approved["member_count"]!.GetValue<int>());

        var (otherId, other, _) = await fx.RegisteredAsync();
        await (await fx.Client.PostJson($"/api/v1/groups/{byRequest}/join", new { }, other)).AssertStatus(202);
        await (
            await fx.Client.PostJson($"/api/v1/groups/{byRequest}/requests/{otherId}/reject", new { }, owner)
        ).AssertStatus(204);
        await (
            await fx.Client.PostJson($"/api/v1/groups/{byRequest}/requests/{otherId}/reject", new { }, owner)
        ).AssertProblem(404);
        await (
            await fx.Client.PostJson($"/api/v1/groups/{byRequest}/requests/{otherId}/approve", new { }, owner)
        ).AssertProblem(404);

        var byInvite = await GroupsFlow.CreateAsync(fx, owner, policy: "invite");
        await (await fx.Client.PostJson($"/api/v1/groups/{byInvite}/join", new { }, other)).AssertProblem(403);
        await (
            await fx.Client.PostJson($"/api/v1/groups/{byInvite}/invitations", new { user_id = otherId }, user)
        ).AssertProblem(403);
        await (
            await fx.Client.PostJson($"/api/v1/groups/{byInvite}/invitations", new { user_id = otherId }, owner)
        ).AssertStatus(201);
        await (
            await fx.Client.PostJson($"/api/v1/groups/{byInvite}/invitations", new { user_id = otherId }, owner)
        ).AssertStatus(200);
        // The invitation is announced once (messaging tells the person invited), not again when repeated.
        Assert.Equal(
            1L,
            await fx.ScalarAsync<long>(
                """
                SELECT count(*) FROM outbox_messages WHERE type LIKE '%.GroupInvitationSent,%'
                    AND payload->>'groupId' = @g AND payload->>'userId' = @u AND payload->>'invitedByUserId' = @by
                """,
                ("g", byInvite),
                ("u", otherId.ToString()),
                ("by", ownerId.ToString())
            )
        );
        Assert.Equal(
            "invited",
            (await (await fx.Client.Get($"/api/v1/groups/{byInvite}", other)).AssertStatus(200))[
                "membership_status"
            ]!.GetValue<string>()
        );
        await (await fx.Client.PostJson($"/api/v1/groups/{byInvite}/join", new { }, other)).AssertStatus(201);
        await (
            await fx.Client.PostJson($"/api/v1/groups/{byInvite}/invitations", new { user_id = otherId }, owner)
        ).AssertProblem(409);

        var paid = await GroupsFlow.CreateAsync(fx, owner, priceCents: 1500, currency: "aed");
        var payment = await (await fx.Client.PostJson($"/api/v1/groups/{paid}/join", new { }, user)).AssertProblem(402);
        Assert.Equal(1500, payment["price_cents"]!.GetValue<long>());
        Assert.Equal("AED", payment["currency"]!.GetValue<string>());
        Assert.Equal(0L, await GroupsFlow.MemberRowsAsync(fx, paid, userId));
    }

    [Fact]
    public async Task Secret_groups_are_404_to_outsiders_everywhere_and_visible_to_the_invited()
    {
        var (_, owner, _) = await fx.RegisteredAsync();
        var (outsiderId, outsider, _) = await fx.RegisteredAsync();
        var secret = await GroupsFlow.CreateAsync(fx, owner, visibility: "secret", policy: "invite");
        var unknown = await (await fx.Client.Get($"/api/v1/groups/{Guid.NewGuid()}", outsider)).AssertProblem(404);
        foreach (
            var (method, url, body) in new (HttpMethod, string, object?)[]
            {
                (HttpMethod.Get, $"/api/v1/groups/{secret}", null),
                (HttpMethod.Patch, $"/api/v1/groups/{secret}", new { name = "Mine now" }),
                (HttpMethod.Delete, $"/api/v1/groups/{secret}", null),
                (HttpMethod.Post, $"/api/v1/groups/{secret}/join", new { }),
                (HttpMethod.Post, $"/api/v1/groups/{secret}/leave", new { }),
                (HttpMethod.Get, $"/api/v1/groups/{secret}/members", null),
                (HttpMethod.Post, $"/api/v1/groups/{secret}/invitations", new { user_id = outsiderId }),
                (HttpMethod.Post, $"/api/v1/groups/{secret}/requests/{outsiderId}/approve", new { }),
                (HttpMethod.Post, $"/api/v1/groups/{secret}/requests/{outsiderId}/reject", new { }),
                (HttpMethod.Patch, $"/api/v1/groups/{secret}/members/{outsiderId}", new { role = "moderator" }),
                (HttpMethod.Delete, $"/api/v1/groups/{secret}/members/{outsiderId}", null),
            }
        )
        {
            var hidden = await (await fx.Client.SendJson(method, url, body, outsider)).AssertProblem(404);
            if (url == $"/api/v1/groups/{secret}")
                Assert.Equal(unknown["detail"]!.GetValue<string>(), hidden["detail"]!.GetValue<string>());
        }
        await (
            await fx.Client.PostJson($"/api/v1/groups/{secret}/invitations", new { user_id = outsiderId }, owner)
        ).AssertStatus(201);
        await (await fx.Client.Get($"/api/v1/groups/{secret}", outsider)).AssertStatus(200);
        // Invited is not listed: explore shows secret groups to members only.
        Assert.DoesNotContain(
            secret,
            (await (await fx.Client.Get("/api/v1/groups?limit=100", outsider)).AssertStatus(200))["items"]!
                .AsArray()
                .Select(n => n!["id"]!.GetValue<string>())
        );
        await (await fx.Client.PostJson($"/api/v1/groups/{secret}/join", new { }, outsider)).AssertStatus(201);
        Assert.Contains(
            secret,
            (await (await fx.Client.Get("/api/v1/groups/mine", outsider)).AssertStatus(200))["items"]!
                .AsArray()
                .Select(n => n!["id"]!.GetValue<string>())
        );
    }

    [Fact]
    public async Task Invitations_are_listed_to_the_invited_who_may_decline_and_to_managers_who_may_withdraw()
    {
        var (_, owner, _) = await fx.RegisteredAsync();
        var (modId, mod, _) = await fx.RegisteredAsync();
        var (memberId, member, _) = await fx.RegisteredAsync();
        var (guestId, guest, _) = await fx.RegisteredAsync();
        var secret = await GroupsFlow.CreateAsync(fx, owner, visibility: "secret", policy: "invite");
        Task<HttpResponseMessage> InviteAsync(Guid userId) =>
            fx.Client.PostJson($"/api/v1/groups/{secret}/invitations", new { user_id = userId }, owner);
        foreach (var (userId, token) in new[] { (modId, mod), (memberId, member) })
        {
            await (await InviteAsync(userId)).AssertStatus(201);
            await (await fx.Client.PostJson($"/api/v1/groups/{secret}/join", new { }, token)).AssertStatus(201);
        }
        await (
            await fx.Client.SendJson(
                HttpMethod.Patch,
                $"/api/v1/groups/{secret}/members/{modId}",
                new { role = "moderator" },
                owner
            )
        ).AssertStatus(200);
        async Task<List<string>> MineAsync(string token, string query = "") =>
            (await (await fx.Client.Get("/api/v1/groups/mine" + query, token)).AssertStatus(200))["items"]!
                .AsArray()
                .Select(n => n!["id"]!.GetValue<string>())
                .ToList();
        async Task<List<string>> InvitedAsync(string token)
        {
            var url = $"/api/v1/groups/{secret}/members?role=invited";
            var page = await (await fx.Client.Get(url, token)).AssertStatus(200);
            return page["items"]!.AsArray().Select(n => n!["user"]!["user_id"]!.GetValue<string>()).ToList();
        }

        // Invited: the invitation is listed to its addressee, and to the group's owner and moderators.
        var invited = await InviteAsync(guestId);
        Assert.EndsWith($"/api/v1/groups/{secret}/members?role=invited", invited.Headers.Location!.OriginalString);
        await invited.AssertStatus(201);
        var listed = await (await fx.Client.Get("/api/v1/groups/mine?status=invited", guest)).AssertStatus(200);
        var shown = Assert.Single(listed["items"]!.AsArray())!;
        Assert.Equal(secret, shown["id"]!.GetValue<string>());
        Assert.Equal("invited", shown["membership_status"]!.GetValue<string>());
        Assert.Empty(await MineAsync(guest));
        Assert.Equal(guestId.ToString(), Assert.Single(await InvitedAsync(mod)));
        await (await fx.Client.Get($"/api/v1/groups/{secret}/members?role=invited", member)).AssertProblem(403);

        // Withdrawn by a moderator (a plain member may not): gone from both lists, and withdrawing again finds nothing.
        var withdraw = $"/api/v1/groups/{secret}/members/{guestId}";
        await (await fx.Client.SendJson(HttpMethod.Delete, withdraw, null, member)).AssertProblem(403);
        await (await fx.Client.SendJson(HttpMethod.Delete, withdraw, null, mod)).AssertStatus(204);
        await (await fx.Client.SendJson(HttpMethod.Delete, withdraw, null, mod)).AssertProblem(404);
        Assert.Empty(await MineAsync(guest, "?status=invited"));
        Assert.Empty(await InvitedAsync(owner));
        await (await fx.Client.PostJson($"/api/v1/groups/{secret}/join", new { }, guest)).AssertProblem(404);

        // Declined by leaving: the same, the secret group is hidden from them again, and it is not sent again at once
        // (GroupRequestWaitTests).
        await (await InviteAsync(guestId)).AssertStatus(201);
        await (await fx.Client.PostJson($"/api/v1/groups/{secret}/leave", new { }, guest)).AssertStatus(204);
        Assert.Empty(await MineAsync(guest, "?status=invited"));
        Assert.Empty(await InvitedAsync(owner));
        await (await fx.Client.Get($"/api/v1/groups/{secret}", guest)).AssertProblem(404);
        await (await InviteAsync(guestId)).AssertProblem(429);
        Assert.Equal(3, await MemberCountAsync(secret));
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>(
                """
                SELECT count(*) FROM outbox_messages WHERE type LIKE '%.GroupMemberLeft,%'
                    AND payload->>'userId' = @u
                """,
                ("u", guestId.ToString())
            )
        );

        // My requests are listed the same way; a standing that does not exist is a validation problem.
        var byRequest = await GroupsFlow.CreateAsync(fx, owner, policy: "request");
        await (await fx.Client.PostJson($"/api/v1/groups/{byRequest}/join", new { }, guest)).AssertStatus(202);
        Assert.Equal(byRequest, Assert.Single(await MineAsync(guest, "?status=pending")));
        await (await fx.Client.Get("/api/v1/groups/mine?status=blocked", guest)).AssertProblem(400);
    }

    [Fact]
    public async Task Private_groups_show_their_members_to_members_only()
    {
        var (_, owner, _) = await fx.RegisteredAsync();
        var (_, outsider, _) = await fx.RegisteredAsync();
        var closed = await GroupsFlow.CreateAsync(fx, owner, visibility: "private");
        await (await fx.Client.Get($"/api/v1/groups/{closed}", outsider)).AssertStatus(200);
        await (await fx.Client.Get($"/api/v1/groups/{closed}/members", outsider)).AssertProblem(403);
        Assert.Single(
            (await (await fx.Client.Get($"/api/v1/groups/{closed}/members", owner)).AssertStatus(200))[
                "items"
            ]!.AsArray()
        );
    }

    [Fact]
    public async Task Owner_and_moderator_rules()
    {
        var (ownerId, owner, _) = await fx.RegisteredAsync();
        var (modId, mod, _) = await fx.RegisteredAsync();
        var (memberId, member, _) = await fx.RegisteredAsync();
        var (otherId, other, _) = await fx.RegisteredAsync();
        var id = await GroupsFlow.CreateAsync(fx, owner);
        foreach (var token in new[] { mod, member, other })
            await (await fx.Client.PostJson($"/api/v1/groups/{id}/join", new { }, token)).AssertStatus(201);

        // Only the owner changes roles; the owner's own role only by handing over.
        await (
            await fx.Client.SendJson(
                HttpMethod.Patch,
                $"/api/v1/groups/{id}/members/{modId}",
                new { role = "moderator" },
                member
            )
        ).AssertProblem(403);
        var promoted = await (
            await fx.Client.SendJson(
                HttpMethod.Patch,
                $"/api/v1/groups/{id}/members/{modId}",
                new { role = "moderator" },
                owner
            )
        ).AssertStatus(200);
        Assert.Equal("moderator", promoted["role"]!.GetValue<string>());
        await (
            await fx.Client.SendJson(
                HttpMethod.Patch,
                $"/api/v1/groups/{id}/members/{ownerId}",
                new { role = "member" },
                owner
            )
        ).AssertProblem(422);
        await (
            await fx.Client.SendJson(
                HttpMethod.Patch,
                $"/api/v1/groups/{id}/members/{Guid.NewGuid()}",
                new { role = "member" },
                owner
            )
        ).AssertProblem(404);
        await (
            await fx.Client.SendJson(
                HttpMethod.Patch,
                $"/api/v1/groups/{id}/members/{memberId}",
                new { role = "moderator" },
                mod
            )
        ).AssertProblem(403);
        var moderators = await (
            await fx.Client.Get($"/api/v1/groups/{id}/members?role=moderator", member)
        ).AssertStatus(200);
        Assert.Equal(
            modId.ToString(),
            Assert.Single(moderators["items"]!.AsArray())!["user"]!["user_id"]!.GetValue<string>()
        );
        var firstPage = await (await fx.Client.Get($"/api/v1/groups/{id}/members?limit=3", member)).AssertStatus(200);
        var lastPage = await (
            await fx.Client.Get($"/api/v1/groups/{id}/members?limit=3&cursor={firstPage["next_cursor"]}", member)
        ).AssertStatus(200);
        Assert.Null(lastPage["next_cursor"]);
        Assert.Equal(
            new[] { ownerId, modId, memberId, otherId }.Select(g => g.ToString()).Order(),
            firstPage["items"]!
                .AsArray()
                .Concat(lastPage["items"]!.AsArray())
                .Select(n => n!["user"]!["user_id"]!.GetValue<string>())
                .Order()
        );

        // Moderators edit the group and remove members, never the owner, and not other moderators.
        await (
            await fx.Client.SendJson(HttpMethod.Patch, $"/api/v1/groups/{id}", new { description = "Moderated" }, mod)
        ).AssertStatus(200);
        await (await fx.Client.SendJson(HttpMethod.Delete, $"/api/v1/groups/{id}", null, mod)).AssertProblem(403);
        await (
            await fx.Client.SendJson(HttpMethod.Delete, $"/api/v1/groups/{id}/members/{ownerId}", null, mod)
        ).AssertProblem(422);
        await (
            await fx.Client.SendJson(HttpMethod.Delete, $"/api/v1/groups/{id}/members/{otherId}", null, member)
        ).AssertProblem(403);
        await (
            await fx.Client.SendJson(HttpMethod.Delete, $"/api/v1/groups/{id}/members/{otherId}", null, mod)
        ).AssertStatus(204);
        await (
            await fx.Client.SendJson(HttpMethod.Delete, $"/api/v1/groups/{id}/members/{otherId}", null, mod)
        ).AssertProblem(404);
        Assert.Equal(
            1L,
            await fx.ScalarAsync<long>(
                """
                SELECT count(*) FROM outbox_messages WHERE type LIKE '%.GroupMemberLeft,%' AND payload->>'groupId' = @g
                    AND payload->>'userId' = @u
                """,
                ("g", id),
                ("u", otherId.ToString())
            )
        );
        Assert.Equal(3, await MemberCountAsync(id));

        // The owner cannot leave until they hand over; then they stay on as a moderator and may leave.
        await (await fx.Client.PostJson($"/api/v1/groups/{id}/leave", new { }, owner)).AssertProblem(409);
        await (
            await fx.Client.SendJson(
                HttpMethod.Patch,
                $"/api/v1/groups/{id}/members/{memberId}",
                new { role = "owner" },
                owner
            )
        ).AssertStatus(200);
        var group = await (await fx.Client.Get($"/api/v1/groups/{id}", owner)).AssertStatus(200);
        Assert.Equal(memberId.ToString(), group["owner"]!["user_id"]!.GetValue<string>());
        Assert.Equal("moderator", group["my_role"]!.GetValue<string>());
        await (await fx.Client.PostJson($"/api/v1/groups/{id}/leave", new { }, owner)).AssertStatus(204);
        await (await fx.Client.PostJson($"/api/v1/groups/{id}/leave", new { }, owner)).AssertStatus(204);
        await (await fx.Client.SendJson(HttpMethod.Delete, $"/api/v1/groups/{id}", null, member)).AssertStatus(204);
    }

    [Fact]
    public async Task Members_lists_hide_blocked_people_both_ways_and_invitations_across_a_block_tell_no_one_of_it()
    {
        var (ownerId, owner, _) = await fx.RegisteredAsync();
        var (blockerId, blocker, _) = await fx.RegisteredAsync();
        var (blockedId, blocked, _) = await fx.RegisteredAsync();
        var (thirdId, third, _) = await fx.RegisteredAsync();
        var id = await GroupsFlow.CreateAsync(fx, owner);
        foreach (var token in new[] { blocker, blocked, third })
            await (await fx.Client.PostJson($"/api/v1/groups/{id}/join", new { }, token)).AssertStatus(201);
        await (await fx.Client.SendJson(HttpMethod.Put, $"/api/v1/blocks/{blockedId}", null, blocker)).AssertStatus(
            204
        );

        Assert.DoesNotContain(blockedId.ToString(), await MemberIdsAsync(id, blocker));
        Assert.DoesNotContain(blockerId.ToString(), await MemberIdsAsync(id, blocked));
        Assert.Equal(4, (await MemberIdsAsync(id, third)).Count);
        // The count agrees with the list each is shown, so it tells no one a member hid from them.
        foreach (var (token, count) in new[] { (blocker, 3), (blocked, 3), (third, 4) })
        {
            var group = await (await fx.Client.Get($"/api/v1/groups/{id}", token)).AssertStatus(200);
            Assert.Equal(count, group["member_count"]!.GetValue<int>());
            var mine = await (await fx.Client.Get("/api/v1/groups/mine", token)).AssertStatus(200);
            Assert.Equal(
                count,
                mine["items"]!.AsArray().Single(g => g!["id"]!.GetValue<string>() == id)![
                    "member_count"
                ]!.GetValue<int>()
            );
        }

        await (
            await fx.Client.PostJson($"/api/v1/groups/{id}/invitations", new { user_id = blockedId }, blocker)
        ).AssertProblem(422);
        // Who blocked the caller is no one to them, as their profile is (404): the block is not told.
        var unknown = await (
            await fx.Client.PostJson($"/api/v1/groups/{id}/invitations", new { user_id = blockerId }, blocked)
        ).AssertProblem(404);
        var deleted = await (
            await fx.Client.PostJson($"/api/v1/groups/{id}/invitations", new { user_id = Guid.NewGuid() }, blocked)
        ).AssertProblem(404);
        Assert.Equal(deleted["detail"]!.GetValue<string>(), unknown["detail"]!.GetValue<string>());
        await (
            await fx.Client.PostJson($"/api/v1/groups/{id}/invitations", new { user_id = ownerId }, owner)
        ).AssertProblem(422);

        // The blocked person's own group stays visible to the blocker, without its owner.
        var theirs = await GroupsFlow.CreateAsync(fx, blocked);
        var seen = await (await fx.Client.Get($"/api/v1/groups/{theirs}", blocker)).AssertStatus(200);
        Assert.Null(seen["owner"]);

        // Joining answers the count as the joiner is shown it too: five members, the blocker hidden.
        var (lateId, late, _) = await fx.RegisteredAsync();
        await (await fx.Client.SendJson(HttpMethod.Put, $"/api/v1/blocks/{lateId}", null, blocker)).AssertStatus(204);
        var joined = await (await fx.Client.PostJson($"/api/v1/groups/{id}/join", new { }, late)).AssertStatus(201);
        Assert.Equal(4, joined["member_count"]!.GetValue<int>());

        // An invitation the other side of a block sent first is answered without its sender, either way round.
        var (guestId, _, _) = await fx.RegisteredAsync();
        var sent = await (
            await fx.Client.PostJson($"/api/v1/groups/{id}/invitations", new { user_id = guestId }, blocker)
        ).AssertStatus(201);
        Assert.Equal(blockerId.ToString(), sent["invited_by"]!.GetValue<string>());
        foreach (var token in new[] { blocked, late })
        {
            var again = await (
                await fx.Client.PostJson($"/api/v1/groups/{id}/invitations", new { user_id = guestId }, token)
            ).AssertStatus(200);
            Assert.Null(again["invited_by"]);
        }
        var shown = await (
            await fx.Client.PostJson($"/api/v1/groups/{id}/invitations", new { user_id = guestId }, third)
        ).AssertStatus(200);
        Assert.Equal(blockerId.ToString(), shown["invited_by"]!.GetValue<string>());

        // A manager may change the role of a member who blocked them, who stays unnamed to them.
        await (await fx.Client.SendJson(HttpMethod.Put, $"/api/v1/blocks/{ownerId}", null, third)).AssertStatus(204);
        var changed = await (
            await fx.Client.SendJson(
                HttpMethod.Patch,
                $"/api/v1/groups/{id}/members/{thirdId}",
                new { role = "moderator" },
                owner
            )
        ).AssertStatus(200);
        Assert.Equal(thirdId.ToString(), changed["user"]!["user_id"]!.GetValue<string>());
        Assert.Null(changed["user"]!["username"]);
        Assert.Null(changed["user"]!["full_name"]);
    }

    [Fact]
    public async Task Where_the_group_approves_who_joins_only_its_owner_and_moderators_invite()
    {
        var (_, owner, _) = await fx.RegisteredAsync();
        var (memberId, member, _) = await fx.RegisteredAsync();
        var (moderatorId, moderator, _) = await fx.RegisteredAsync();
        var (turnedDownId, turnedDown, _) = await fx.RegisteredAsync();
        var id = await GroupsFlow.CreateAsync(fx, owner, policy: "request");
        foreach (var (userId, token) in new[] { (memberId, member), (moderatorId, moderator) })
        {
            await (await fx.Client.PostJson($"/api/v1/groups/{id}/join", new { }, token)).AssertStatus(202);
            await (
                await fx.Client.PostJson($"/api/v1/groups/{id}/requests/{userId}/approve", new { }, owner)
            ).AssertStatus(200);
        }
        await (
            await fx.Client.SendJson(
                HttpMethod.Patch,
                $"/api/v1/groups/{id}/members/{moderatorId}",
                new { role = "moderator" },
                owner
            )
        ).AssertStatus(200);
        await (await fx.Client.PostJson($"/api/v1/groups/{id}/join", new { }, turnedDown)).AssertStatus(202);
        await (
            await fx.Client.PostJson($"/api/v1/groups/{id}/requests/{turnedDownId}/reject", new { }, moderator)
        ).AssertStatus(204);

        // A member's invitation would let in the person the moderators just turned down, without a request.
        await (
            await fx.Client.PostJson($"/api/v1/groups/{id}/invitations", new { user_id = turnedDownId }, member)
        ).AssertProblem(403);
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM group_invitations WHERE group_id = @g",
                ("g", Guid.Parse(id))
            )
        );
        await (await fx.Client.PostJson($"/api/v1/groups/{id}/join", new { }, turnedDown)).AssertProblem(429);

        // The moderators may change their mind: their invitation lets them in.
        await (
            await fx.Client.PostJson($"/api/v1/groups/{id}/invitations", new { user_id = turnedDownId }, moderator)
        ).AssertStatus(201);
        await (await fx.Client.PostJson($"/api/v1/groups/{id}/join", new { }, turnedDown)).AssertStatus(201);
    }

    // A moderator's invitations stand while they moderate: demoted, their invitation lets nobody in without the
    // managers' approval (the join asks instead), and one the owner sends still does.
    [Fact]
    public async Task In_a_group_that_approves_who_joins_a_demoted_moderators_invitation_is_no_approval()
    {
        var (_, owner, _) = await fx.RegisteredAsync();
        var (moderatorId, moderator, _) = await fx.RegisteredAsync();
        var (guestId, guest, _) = await fx.RegisteredAsync();
        var (otherId, other, _) = await fx.RegisteredAsync();
        var id = await GroupsFlow.CreateAsync(fx, owner, policy: "request");
        await (await fx.Client.PostJson($"/api/v1/groups/{id}/join", new { }, moderator)).AssertStatus(202);
        await (
            await fx.Client.PostJson($"/api/v1/groups/{id}/requests/{moderatorId}/approve", new { }, owner)
        ).AssertStatus(200);
        async Task RoleAsync(string role) =>
            await (
                await fx.Client.SendJson(
                    HttpMethod.Patch,
                    $"/api/v1/groups/{id}/members/{moderatorId}",
                    new { role },
                    owner
                )
            ).AssertStatus(200);
        await RoleAsync("moderator");
        await (
            await fx.Client.PostJson($"/api/v1/groups/{id}/invitations", new { user_id = guestId }, moderator)
        ).AssertStatus(201);
        await (
            await fx.Client.PostJson($"/api/v1/groups/{id}/invitations", new { user_id = otherId }, owner)
        ).AssertStatus(201);

        await RoleAsync("member");
        // Withdrawn at once, not at the guest's next join.
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM group_invitations WHERE group_id = @g AND user_id = @u",
                ("g", Guid.Parse(id)),
                ("u", guestId)
            )
        );

        await (await fx.Client.PostJson($"/api/v1/groups/{id}/join", new { }, guest)).AssertStatus(202);
        Assert.Equal(0L, await GroupsFlow.MemberRowsAsync(fx, id, guestId));
        await (await fx.Client.PostJson($"/api/v1/groups/{id}/join", new { }, other)).AssertStatus(201);
    }

    [Fact]
    public async Task A_removed_members_invitations_go_with_them_and_no_longer_open_a_secret_group()
    {
        var (_, owner, _) = await fx.RegisteredAsync();
        var (memberId, member, _) = await fx.RegisteredAsync();
        var (guestId, guest, _) = await fx.RegisteredAsync();
        var id = await GroupsFlow.CreateAsync(fx, owner, visibility: "secret", policy: "invite");
        await (
            await fx.Client.PostJson($"/api/v1/groups/{id}/invitations", new { user_id = memberId }, owner)
        ).AssertStatus(201);
        await (await fx.Client.PostJson($"/api/v1/groups/{id}/join", new { }, member)).AssertStatus(201);
        await (
            await fx.Client.PostJson($"/api/v1/groups/{id}/invitations", new { user_id = guestId }, member)
        ).AssertStatus(201);
        await (await fx.Client.Get($"/api/v1/groups/{id}", guest)).AssertStatus(200);

        await (
            await fx.Client.SendJson(HttpMethod.Delete, $"/api/v1/groups/{id}/members/{memberId}", null, owner)
        ).AssertStatus(204);

        await (await fx.Client.Get($"/api/v1/groups/{id}", guest)).AssertProblem(404);
        await (await fx.Client.PostJson($"/api/v1/groups/{id}/join", new { }, guest)).AssertProblem(404);
    }

    [Fact]
    public async Task A_paid_groups_approval_stands_on_its_approver_even_over_a_demoted_moderators_invitation()
    {
        var (_, owner, _) = await fx.RegisteredAsync();
        var (moderatorId, moderator, _) = await fx.RegisteredAsync();
        var (guestId, guest, _) = await fx.RegisteredAsync();
        var id = await GroupsFlow.CreateAsync(fx, owner, policy: "request", priceCents: 1500, currency: "AED");
        await fx.ExecuteAsync(
            "INSERT INTO group_members (group_id, user_id, role, joined_at) VALUES (@g, @u, 'moderator', now())",
            ("g", Guid.Parse(id)),
            ("u", moderatorId)
        );
        await (await fx.Client.PostJson($"/api/v1/groups/{id}/join", new { }, guest)).AssertStatus(202);
        await (
            await fx.Client.PostJson($"/api/v1/groups/{id}/invitations", new { user_id = guestId }, moderator)
        ).AssertStatus(201);

        // The owner approves, then demotes the moderator: the approval is the owner's and stands.
        await (
            await fx.Client.PostJson($"/api/v1/groups/{id}/requests/{guestId}/approve", new { }, owner)
        ).AssertStatus(200);
        await (
            await fx.Client.SendJson(
                HttpMethod.Patch,
                $"/api/v1/groups/{id}/members/{moderatorId}",
                new { role = "member" },
                owner
            )
        ).AssertStatus(200);

        await (await fx.Client.PostJson($"/api/v1/groups/{id}/join", new { }, guest)).AssertProblem(402);
    }

    [Fact]
    public async Task A_paid_groups_approval_is_an_invitation_and_none_goes_across_a_block()
    {
        var (ownerId, owner, _) = await fx.RegisteredAsync();
        var (guestId, guest, _) = await fx.RegisteredAsync();
        var (otherId, other, _) = await fx.RegisteredAsync();
        var id = await GroupsFlow.CreateAsync(fx, owner, policy: "request", priceCents: 1500, currency: "AED");
        await (await fx.Client.PostJson($"/api/v1/groups/{id}/join", new { }, guest)).AssertStatus(202);
        await (await fx.Client.PostJson($"/api/v1/groups/{id}/join", new { }, other)).AssertStatus(202);
        Task<HttpResponseMessage> Approve(Guid userId) =>
            fx.Client.PostJson($"/api/v1/groups/{id}/requests/{userId}/approve", new { }, owner);
        Task<long> InvitationsAsync(Guid userId) =>
            fx.ScalarAsync<long>(
                "SELECT count(*) FROM group_invitations WHERE group_id = @g AND user_id = @u",
                ("g", Guid.Parse(id)),
                ("u", userId)
            );

        // The owner blocked the guest; the other blocked the owner (told as if they had not asked).
        await (await fx.Client.SendJson(HttpMethod.Put, $"/api/v1/blocks/{guestId}", null, owner)).AssertStatus(204);
        await (await fx.Client.SendJson(HttpMethod.Put, $"/api/v1/blocks/{ownerId}", null, other)).AssertStatus(204);
        await (await Approve(guestId)).AssertProblem(422);
        await (await Approve(otherId)).AssertProblem(404);
        Assert.Equal(0L, await InvitationsAsync(guestId));
        Assert.Equal(0L, await InvitationsAsync(otherId));

        await (await fx.Client.SendJson(HttpMethod.Delete, $"/api/v1/blocks/{guestId}", null, owner)).AssertStatus(204);
        await (await Approve(guestId)).AssertStatus(200);
        Assert.Equal(1L, await InvitationsAsync(guestId));
    }

    // A request made while the group could be seen stays its asker's to follow and withdraw once the group turns
    // secret (its moderators could still approve it; the asker got 404 for it, and could not take it back).
    [Fact]
    public async Task A_request_to_a_group_that_turns_secret_is_still_listed_and_withdrawn_by_its_asker()
    {
        var (_, owner, _) = await fx.RegisteredAsync();
        var (askerId, asker, _) = await fx.RegisteredAsync();
        var (_, stranger, _) = await fx.RegisteredAsync();
        var id = await GroupsFlow.CreateAsync(fx, owner, visibility: "private", policy: "request");
        await (await fx.Client.PostJson($"/api/v1/groups/{id}/join", new { }, asker)).AssertStatus(202);
        await (
            await fx.Client.SendJson(HttpMethod.Patch, $"/api/v1/groups/{id}", new { visibility = "secret" }, owner)
        ).AssertStatus(200);

        await (await fx.Client.Get($"/api/v1/groups/{id}", stranger)).AssertProblem(404);
        var pending = await (await fx.Client.Get("/api/v1/groups/mine?status=pending", asker)).AssertStatus(200);
        Assert.Equal(id, Assert.Single(pending["items"]!.AsArray())!["id"]!.GetValue<string>());
        await (await fx.Client.PostJson($"/api/v1/groups/{id}/leave", new { }, asker)).AssertStatus(204);
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM group_requests WHERE group_id = @g AND user_id = @u",
                ("g", Guid.Parse(id)),
                ("u", askerId)
            )
        );
        // Withdrawn, the secret group is no longer theirs to see.
        await (await fx.Client.Get($"/api/v1/groups/{id}", asker)).AssertProblem(404);
    }

    [Fact]
    public async Task A_request_to_a_group_since_turned_secret_and_open_still_waits_for_its_managers()
    {
        var (_, owner, _) = await fx.RegisteredAsync();
        var (askerId, asker, _) = await fx.RegisteredAsync();
        var free = await GroupsFlow.CreateAsync(fx, owner, visibility: "private", policy: "request");
        var paid = await GroupsFlow.CreateAsync(
            fx,
            owner,
            visibility: "private",
            policy: "request",
            priceCents: 900,
            currency: "eur"
        );
        foreach (var id in new[] { free, paid })
        {
            await (await fx.Client.PostJson($"/api/v1/groups/{id}/join", new { }, asker)).AssertStatus(202);
            await (
                await fx.Client.SendJson(
                    HttpMethod.Patch,
                    $"/api/v1/groups/{id}",
                    new { visibility = "secret", join_policy = "open" },
                    owner
                )
            ).AssertStatus(200);

            // Seen only by the request, the secret group lets nobody in uninvited: neither a member nor a checkout
            // its settlement would refuse, the request still waiting.
            var joined = await (await fx.Client.PostJson($"/api/v1/groups/{id}/join", new { }, asker)).AssertStatus(
                202
            );
            Assert.Equal("pending", joined["status"]!.GetValue<string>());
            Assert.Equal(0L, await GroupsFlow.MemberRowsAsync(fx, id, askerId));
        }

        // Its managers may still say yes.
        await (
            await fx.Client.PostJson($"/api/v1/groups/{free}/requests/{askerId}/approve", new { }, owner)
        ).AssertStatus(200);
        Assert.Equal(1L, await GroupsFlow.MemberRowsAsync(fx, free, askerId));
    }

    [Fact]
    public async Task A_group_turning_to_approval_drops_the_invitations_its_members_sent_and_keeps_its_managers()
    {
        var (_, owner, _) = await fx.RegisteredAsync();
        var (memberId, member, _) = await fx.RegisteredAsync();
        var (byMemberId, byMember, _) = await fx.RegisteredAsync();
        var (byOwnerId, byOwner, _) = await fx.RegisteredAsync();
        var id = await GroupsFlow.CreateAsync(fx, owner, policy: "invite");
        await (
            await fx.Client.PostJson($"/api/v1/groups/{id}/invitations", new { user_id = memberId }, owner)
        ).AssertStatus(201);
        await (await fx.Client.PostJson($"/api/v1/groups/{id}/join", new { }, member)).AssertStatus(201);
        // In an invite-only group members invite.
        await (
            await fx.Client.PostJson($"/api/v1/groups/{id}/invitations", new { user_id = byMemberId }, member)
        ).AssertStatus(201);
        await (
            await fx.Client.PostJson($"/api/v1/groups/{id}/invitations", new { user_id = byOwnerId }, owner)
        ).AssertStatus(201);

        await (
            await fx.Client.SendJson(HttpMethod.Patch, $"/api/v1/groups/{id}", new { join_policy = "request" }, owner)
        ).AssertStatus(200);

        // The member's invitation would have let its addressee past the approval: it is gone, and they ask.
        var asked = await (await fx.Client.PostJson($"/api/v1/groups/{id}/join", new { }, byMember)).AssertStatus(202);
        Assert.Equal("pending", asked["status"]!.GetValue<string>());
        await (await fx.Client.PostJson($"/api/v1/groups/{id}/join", new { }, byOwner)).AssertStatus(201);
    }

    [Fact]
    public async Task A_block_withdraws_an_invitation_either_of_the_two_sent_the_other()
    {
        var (_, owner, _) = await fx.RegisteredAsync();
        var (inviterId, inviter, _) = await fx.RegisteredAsync();
        var (inviteeId, invitee, _) = await fx.RegisteredAsync();
        var (otherId, other, _) = await fx.RegisteredAsync();
        var (thirdId, third, _) = await fx.RegisteredAsync();
        var secret = await GroupsFlow.CreateAsync(fx, owner, visibility: "secret", policy: "invite");
        await (
            await fx.Client.PostJson($"/api/v1/groups/{secret}/invitations", new { user_id = inviterId }, owner)
        ).AssertStatus(201);
        await (await fx.Client.PostJson($"/api/v1/groups/{secret}/join", new { }, inviter)).AssertStatus(201);
        foreach (var userId in new[] { inviteeId, otherId, thirdId })
            await (
                await fx.Client.PostJson($"/api/v1/groups/{secret}/invitations", new { user_id = userId }, inviter)
            ).AssertStatus(201);
        await (await fx.Client.Get($"/api/v1/groups/{secret}", invitee)).AssertStatus(200);

        // The invited person blocks whoever invited them (the other way round is the same pair).
        await (await fx.Client.SendJson(HttpMethod.Put, $"/api/v1/blocks/{inviterId}", null, invitee)).AssertStatus(
            204
        );

        await (await fx.Client.Get($"/api/v1/groups/{secret}", invitee)).AssertProblem(404);
        await (await fx.Client.PostJson($"/api/v1/groups/{secret}/join", new { }, invitee)).AssertProblem(404);
        // Someone else's invitation from the same member stands.
        await (await fx.Client.PostJson($"/api/v1/groups/{secret}/join", new { }, other)).AssertStatus(201);
        // And the inviter blocking whom they invited withdraws it too.
        await (await fx.Client.SendJson(HttpMethod.Put, $"/api/v1/blocks/{thirdId}", null, inviter)).AssertStatus(204);
        await (await fx.Client.Get($"/api/v1/groups/{secret}", third)).AssertProblem(404);
        await (await fx.Client.PostJson($"/api/v1/groups/{secret}/join", new { }, third)).AssertProblem(404);
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM group_invitations WHERE group_id = @g AND user_id = @u",
                ("g", Guid.Parse(secret)),
                ("u", inviteeId)
            )
        );
    }

    [Fact]
    public async Task A_paid_groups_price_is_its_owners_to_set_not_a_moderators()
    {
        var (_, owner, _) = await fx.RegisteredAsync();
        var (moderatorId, moderator, _) = await fx.RegisteredAsync();
        var id = await GroupsFlow.CreateAsync(fx, owner, priceCents: 1500, currency: "AED");
        // A moderator of a paid group (who would have bought their membership), seeded as such.
        await fx.ExecuteAsync(
            "INSERT INTO group_members (group_id, user_id, role, joined_at) VALUES (@g, @u, 'moderator', now())",
            ("g", Guid.Parse(id)),
            ("u", moderatorId)
        );
        Task<HttpResponseMessage> Patch(object body, string token) =>
            fx.Client.SendJson(HttpMethod.Patch, $"/api/v1/groups/{id}", body, token);

        // The members pay the owner: a moderator making it free, or dearer, or in another currency, is refused.
        await (await Patch(new { price_cents = 0 }, moderator)).AssertProblem(403);
        await (await Patch(new { description = "Sunrise rides", price_cents = 2500 }, moderator)).AssertProblem(403);
        await (await Patch(new { currency = "EUR" }, moderator)).AssertProblem(403);
        var seen = await (await fx.Client.Get($"/api/v1/groups/{id}", owner)).AssertStatus(200);
        Assert.Equal(1500, seen["price_cents"]!.GetValue<long>());
        Assert.Equal("AED", seen["currency"]!.GetValue<string>());
        Assert.NotEqual("Sunrise rides", seen["description"]?.GetValue<string>());

        // The rest is theirs to change, the price sent back as it is included; the owner sets the price.
        await (await Patch(new { description = "Sunrise rides", price_cents = 1500 }, moderator)).AssertStatus(200);
        var repriced = await (await Patch(new { price_cents = 2000 }, owner)).AssertStatus(200);
        Assert.Equal(2000, repriced["price_cents"]!.GetValue<long>());
        Assert.Equal("Sunrise rides", repriced["description"]!.GetValue<string>());
    }

    private async Task<List<string>> MemberIdsAsync(string groupId, string token) =>
        (await (await fx.Client.Get($"/api/v1/groups/{groupId}/members", token)).AssertStatus(200))["items"]!
            .AsArray()
            .Select(n => n!["user"]!["user_id"]!.GetValue<string>())
            .ToList();

    private Task<int> MemberCountAsync(string groupId) =>
        fx.ScalarAsync<int>("SELECT member_count FROM groups WHERE id = @id", ("id", Guid.Parse(groupId)));
}
