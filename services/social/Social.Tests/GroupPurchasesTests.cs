using System.Text.Json.Nodes;
using Community.Contracts.Payments;

namespace Community.Social.Tests;

/// <summary>
/// Paid groups: the 402's checkout reference, the membership a settled payment buys, and the refund when it cannot be
/// honoured.
/// </summary>
public sealed class GroupPurchasesTests(SocialFixture fx) : IClassFixture<SocialFixture>
{
    [Fact]
    public async Task A_paid_group_answers_402_with_a_checkout_reference_whose_price_payments_learns()
    {
        var (ownerId, owner, _) = await fx.RegisteredAsync();
        var (userId, user, _) = await fx.RegisteredAsync();
        var group = await GroupsFlow.CreateAsync(fx, owner, priceCents: 1500, currency: "aed");

        var problem = await (await fx.Client.PostJson($"/api/v1/groups/{group}/join", new { }, user)).AssertProblem(
            402
        );
        Assert.Equal(1500, problem["price_cents"]!.GetValue<long>());
        Assert.Equal("AED", problem["currency"]!.GetValue<string>());
        Assert.Equal(PaymentPurposes.GroupMembership, problem["checkout"]!["purpose"]!.GetValue<string>());
        var reference = problem["checkout"]!["reference_id"]!.GetValue<Guid>();
        var pending = await PendingAsync(reference);
        Assert.Equal(group, pending["groupId"]!.GetValue<string>());
        Assert.Equal(userId, pending["userId"]!.GetValue<Guid>());
        Assert.Equal(ownerId, pending["ownerUserId"]!.GetValue<Guid>());
        Assert.Equal(1500, pending["priceCents"]!.GetValue<long>());
        Assert.Equal("AED", pending["currency"]!.GetValue<string>());
        Assert.Equal(0L, await GroupsFlow.MemberRowsAsync(fx, group, userId));

        // Asking again answers the same reference, announced once; a new price is a new reference.
        var again = await (await fx.Client.PostJson($"/api/v1/groups/{group}/join", new { }, user)).AssertProblem(402);
        Assert.Equal(reference, again["checkout"]!["reference_id"]!.GetValue<Guid>());
        Assert.Equal(1L, await OutboxAsync(nameof(GroupMembershipPending), "purchaseId", reference));
        await (
            await fx.Client.SendJson(HttpMethod.Patch, $"/api/v1/groups/{group}", new { price_cents = 2000 }, owner)
        ).AssertStatus(200);
        var repriced = await (await fx.Client.PostJson($"/api/v1/groups/{group}/join", new { }, user)).AssertProblem(
            402
        );
        var newReference = repriced["checkout"]!["reference_id"]!.GetValue<Guid>();
        Assert.NotEqual(reference, newReference);
        Assert.Equal(2000, (await PendingAsync(newReference))["priceCents"]!.GetValue<long>());
    }

    // Settled while its payer's account is being erased: the settlement waits for the erasure, then makes no member
    // of a deleted account (it would have outlived the erasure, which read the account's groups before).
    [Fact]
    public async Task A_payment_settled_while_its_payer_is_erased_makes_no_member()
    {
        var (_, owner, _) = await fx.RegisteredAsync();
        var (userId, user, _) = await fx.RegisteredAsync();
        var group = await GroupsFlow.CreateAsync(fx, owner, priceCents: 1500, currency: "AED");
        var reference = await ReferenceAsync(group, user);

        await fx.CommitsWhileWaitedOnAsync(
            "SELECT pg_advisory_xact_lock(hashtextextended('user-erasure', 0)); "
                + "UPDATE user_profiles SET deleted_at = now() WHERE user_id = @u",
            async () =>
            {
                await fx.DeliverAsync(Paid(userId, reference, 1500, "AED"), "GroupMembershipPaidConsumer");
                return true;
            },
            "the settlement never waited for the erasure under way",
            ("u", userId)
        );

        Assert.Equal(0L, await GroupsFlow.MemberRowsAsync(fx, group, userId));
    }

    [Fact]
    public async Task A_settled_payment_makes_the_payer_a_member_once_however_often_it_is_announced()
    {
        var (_, owner, _) = await fx.RegisteredAsync();
        var (userId, user, _) = await fx.RegisteredAsync();
        var group = await GroupsFlow.CreateAsync(fx, owner, priceCents: 1500, currency: "AED");
        var reference = await ReferenceAsync(group, user);

        var paid = Paid(userId, reference, 1500, "AED");
        await fx.DeliverAsync(paid, "GroupMembershipPaidConsumer");
        var seen = await (await fx.Client.Get($"/api/v1/groups/{group}", user)).AssertStatus(200);
        Assert.Equal("member", seen["my_role"]!.GetValue<string>());
        Assert.Equal(2, seen["member_count"]!.GetValue<int>());

        // The same message again (the inbox) and the same payment in a new message (the purchase) change nothing.
        await fx.PublishAsync(paid);
        await fx.DeliverAsync(paid with { MessageId = Guid.NewGuid() }, "GroupMembershipPaidConsumer");
        Assert.Equal(
            2,
            await fx.ScalarAsync<int>("SELECT member_count FROM groups WHERE id = @g", ("g", Guid.Parse(group)))
        );
        Assert.Equal(
            2L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM group_members WHERE group_id = @g",
                ("g", Guid.Parse(group))
            )
        );
        Assert.Equal(
            1L,
            await fx.ScalarAsync<long>(
                """
                SELECT count(*) FROM outbox_messages WHERE type LIKE '%.GroupMemberJoined,%'
                    AND payload->>'groupId' = @g AND payload->>'userId' = @u
                """,
                ("g", group),
                ("u", userId.ToString())
            )
        );
        Assert.Equal(0L, await OutboxAsync(nameof(GroupMembershipRejected), "paymentId", paid.PaymentId));
        // A member joining again is told so, not asked to pay.
        await (await fx.Client.PostJson($"/api/v1/groups/{group}/join", new { }, user)).AssertStatus(200);
    }

    [Fact]
    public async Task A_full_refund_ends_the_membership_it_bought_and_a_partial_one_keeps_it()
    {
        var (_, owner, _) = await fx.RegisteredAsync();
        var (userId, user, _) = await fx.RegisteredAsync();
        var group = await GroupsFlow.CreateAsync(fx, owner, priceCents: 1500, currency: "AED");
        var paid = Paid(userId, await ReferenceAsync(group, user), 1500, "AED");
        await fx.DeliverAsync(paid, "GroupMembershipPaidConsumer");
        Assert.Equal(1L, await GroupsFlow.MemberRowsAsync(fx, group, userId));

        var partial = new PaymentRefunded(
            Guid.NewGuid(),
            fx.Clock.GetUtcNow(),
            paid.PaymentId,
            userId,
            paid.ReferenceId,
            500,
            500,
            "AED"
        );
        await fx.DeliverAsync(partial, "GroupMembershipRefundedConsumer");
        Assert.Equal(1L, await GroupsFlow.MemberRowsAsync(fx, group, userId));
        // A refund of some other payment under the same reference bought nothing here.
        await fx.DeliverAsync(
            partial with
            {
                MessageId = Guid.NewGuid(),
                PaymentId = Guid.NewGuid(),
                TotalRefundedCents = 1500,
            },
            "GroupMembershipRefundedConsumer"
        );
        Assert.Equal(1L, await GroupsFlow.MemberRowsAsync(fx, group, userId));

        var full = partial with { MessageId = Guid.NewGuid(), RefundedCents = 1000, TotalRefundedCents = 1500 };
        await fx.DeliverAsync(full, "GroupMembershipRefundedConsumer");
        await fx.DeliverAsync(full with { MessageId = Guid.NewGuid() }, "GroupMembershipRefundedConsumer");
        Assert.Equal(0L, await GroupsFlow.MemberRowsAsync(fx, group, userId));
        Assert.Equal(
            1,
            await fx.ScalarAsync<int>("SELECT member_count FROM groups WHERE id = @g", ("g", Guid.Parse(group)))
        );
        Assert.Equal(
            1L,
            await fx.ScalarAsync<long>(
                """
                SELECT count(*) FROM outbox_messages WHERE type LIKE '%.GroupMemberLeft,%' AND payload->>'groupId' = @g
                    AND payload->>'userId' = @u
                """,
                ("g", group),
                ("u", userId.ToString())
            )
        );
    }

    /// <summary>
    /// A refund handled while the group is locked by another change (a role given to the payer, say) ends the
    /// membership as of after that change: messaging orders a member's changes by time, and keeps the later one.
    /// </summary>
    [Fact]
    public async Task A_refunds_departure_is_timed_after_the_change_it_waited_for()
    {
        var (_, owner, _) = await fx.RegisteredAsync();
        var (userId, user, _) = await fx.RegisteredAsync();
        var group = await GroupsFlow.CreateAsync(fx, owner, priceCents: 1500, currency: "AED");
        var paid = Paid(userId, await ReferenceAsync(group, user), 1500, "AED");
        await fx.DeliverAsync(paid, "GroupMembershipPaidConsumer");
        var full = new PaymentRefunded(
            Guid.NewGuid(),
            fx.Clock.GetUtcNow(),
            paid.PaymentId,
            userId,
            paid.ReferenceId,
            1500,
            1500,
            "AED"
        );

        Task handled;
        DateTimeOffset changedAt;
        await using (var other = new Npgsql.NpgsqlConnection(fx.Resources.DatabaseConnectionString))
        {
            await other.OpenAsync();
            await using var change = await other.BeginTransactionAsync();
            await using (
                var lockGroup = new Npgsql.NpgsqlCommand(
                    "SELECT 1 FROM groups WHERE id = @g FOR NO KEY UPDATE",
                    other,
                    change
                )
            )
            {
                lockGroup.Parameters.AddWithValue("g", Guid.Parse(group));
                await lockGroup.ExecuteNonQueryAsync();
            }
            handled = fx.DeliverAsync(full, "GroupMembershipRefundedConsumer");
            await fx.SomeoneWaitsOnALockAsync("the refund never waited for the group's lock");
            fx.Clock.Advance(TimeSpan.FromSeconds(5));
            changedAt = fx.Clock.GetUtcNow();
            await change.CommitAsync();
        }
        await handled;

        var left = await PayloadAsync("GroupMemberLeft", "userId", userId);
        Assert.True(left["occurredAt"]!.GetValue<DateTimeOffset>() >= changedAt);
    }

    [Fact]
    public async Task A_full_refund_of_a_payment_leaves_a_free_membership_joined_after_it_alone()
    {
        var (_, owner, _) = await fx.RegisteredAsync();
        var (userId, user, _) = await fx.RegisteredAsync();
        var group = await GroupsFlow.CreateAsync(fx, owner, priceCents: 1500, currency: "AED");
        var paid = Paid(userId, await ReferenceAsync(group, user), 1500, "AED");
        await fx.DeliverAsync(paid, "GroupMembershipPaidConsumer");
        await (await fx.Client.PostJson($"/api/v1/groups/{group}/leave", new { }, user)).AssertStatus(204);
        // The group turns free and the payer joins again, paying nothing; then the first payment is refunded.
        await ChangeAsync(group, new { price_cents = 0 }, owner);
        fx.Tick();
        await (await fx.Client.PostJson($"/api/v1/groups/{group}/join", new { }, user)).AssertStatus(201);

        var full = new PaymentRefunded(
            Guid.NewGuid(),
            fx.Clock.GetUtcNow(),
            paid.PaymentId,
            userId,
            paid.ReferenceId,
            1500,
            1500,
            "AED"
        );
        await fx.DeliverAsync(full, "GroupMembershipRefundedConsumer");
        Assert.Equal(1L, await GroupsFlow.MemberRowsAsync(fx, group, userId));
        Assert.Equal(
            2,
            await fx.ScalarAsync<int>("SELECT member_count FROM groups WHERE id = @g", ("g", Guid.Parse(group)))
        );
    }

    [Fact]
    public async Task A_full_refund_handled_before_its_payment_admits_nobody_when_the_payment_comes()
    {
        var (_, owner, _) = await fx.RegisteredAsync();
        var (userId, user, _) = await fx.RegisteredAsync();
        var group = await GroupsFlow.CreateAsync(fx, owner, priceCents: 1500, currency: "AED");
        var reference = await ReferenceAsync(group, user);
        var paid = Paid(userId, reference, 1500, "AED");
        PaymentRefunded RefundOf(PaymentSucceeded payment, long total) =>
            new(Guid.NewGuid(), fx.Clock.GetUtcNow(), payment.PaymentId, userId, reference, total, total, "AED");

        // A partial refund first keeps the reference open: the payment still buys the membership, as it would after.
        var other = Paid(userId, reference, 1500, "AED");
        await fx.DeliverAsync(RefundOf(other, 500), "GroupMembershipRefundedConsumer");
        // Someone else's payment refunded under this reference closes nothing either.
        await fx.DeliverAsync(
            RefundOf(paid, 1500) with
            {
                UserId = Guid.NewGuid(),
                PaymentId = Guid.NewGuid(),
            },
            "GroupMembershipRefundedConsumer"
        );
        Assert.Null(
            await fx.ScalarAsync<Guid?>("SELECT payment_id FROM group_purchases WHERE id = @id", ("id", reference))
        );

        // The full refund is handled before the payment it gives back: that payment finds the purchase handled.
        await fx.DeliverAsync(RefundOf(paid, 1500), "GroupMembershipRefundedConsumer");
        await fx.DeliverAsync(paid, "GroupMembershipPaidConsumer");
        Assert.Equal(0L, await GroupsFlow.MemberRowsAsync(fx, group, userId));
        Assert.Equal(
            1,
            await fx.ScalarAsync<int>("SELECT member_count FROM groups WHERE id = @g", ("g", Guid.Parse(group)))
        );
        // Nothing to reject (it was refunded already), and joining again asks for a new payment.
        Assert.Equal(0L, await OutboxAsync(nameof(GroupMembershipRejected), "paymentId", paid.PaymentId));
        var again = await (await fx.Client.PostJson($"/api/v1/groups/{group}/join", new { }, user)).AssertProblem(402);
        Assert.NotEqual(reference, again["checkout"]!["reference_id"]!.GetValue<Guid>());
    }

    [Fact]
    public async Task A_payment_that_cannot_be_honoured_is_rejected_for_a_refund_and_admits_nobody()
    {
        var (_, owner, _) = await fx.RegisteredAsync();
        var (_, ownerB, _) = await fx.RegisteredAsync();
        var (userId, user, _) = await fx.RegisteredAsync();

        // The group was deleted meanwhile.
        var gone = await GroupsFlow.CreateAsync(fx, owner, priceCents: 900, currency: "EUR");
        var goneReference = await ReferenceAsync(gone, user);
        await (await fx.Client.SendJson(HttpMethod.Delete, $"/api/v1/groups/{gone}", null, owner)).AssertStatus(204);
        var forGone = Paid(userId, goneReference, 900, "EUR");
        await fx.DeliverAsync(forGone, "GroupMembershipPaidConsumer");
        var rejected = await RejectedAsync(forGone.PaymentId);
        Assert.Equal(goneReference, rejected["purchaseId"]!.GetValue<Guid>());
        Assert.Contains("deleted", rejected["reason"]!.GetValue<string>());
        Assert.Equal(0L, await GroupsFlow.MemberRowsAsync(fx, gone, userId));

        // The owner blocked the payer meanwhile.
        var blocking = await GroupsFlow.CreateAsync(fx, ownerB, priceCents: 900, currency: "EUR");
        var blockingReference = await ReferenceAsync(blocking, user);
        await (await fx.Client.SendJson(HttpMethod.Put, $"/api/v1/blocks/{userId}", null, ownerB)).AssertStatus(204);
        var forBlocking = Paid(userId, blockingReference, 900, "EUR");
        await fx.DeliverAsync(forBlocking, "GroupMembershipPaidConsumer");
        Assert.Contains("blocked", (await RejectedAsync(forBlocking.PaymentId))["reason"]!.GetValue<string>());
        Assert.Equal(0L, await GroupsFlow.MemberRowsAsync(fx, blocking, userId));
        Assert.Equal(
            1,
            await fx.ScalarAsync<int>("SELECT member_count FROM groups WHERE id = @g", ("g", Guid.Parse(blocking)))
        );
        await (await fx.Client.SendJson(HttpMethod.Delete, $"/api/v1/blocks/{userId}", null, ownerB)).AssertStatus(204);

        // An amount that is not the price, and a reference social never gave.
        var underpaid = Paid(userId, blockingReference, 100, "EUR");
        await fx.DeliverAsync(underpaid, "GroupMembershipPaidConsumer");
        Assert.Contains("does not match", (await RejectedAsync(underpaid.PaymentId))["reason"]!.GetValue<string>());
        var unknown = Paid(userId, Guid.NewGuid(), 900, "EUR");
        await fx.DeliverAsync(unknown, "GroupMembershipPaidConsumer");
        await RejectedAsync(unknown.PaymentId);
        Assert.Equal(0L, await GroupsFlow.MemberRowsAsync(fx, blocking, userId));
    }

    [Fact]
    public async Task A_paid_group_that_approves_its_members_takes_the_request_first_and_the_payment_after()
    {
        var (_, owner, _) = await fx.RegisteredAsync();
        var (userId, user, _) = await fx.RegisteredAsync();
        var group = await GroupsFlow.CreateAsync(fx, owner, policy: "request", priceCents: 1500, currency: "AED");

        // Joining asks, as in a free group that approves its members; nothing is sold yet.
        var pending = await (
            await fx.Client.PostJson($"/api/v1/groups/{group}/join", new { reason = "I hike" }, user)
        ).AssertStatus(202);
        Assert.Equal("pending", pending["status"]!.GetValue<string>());
        await (await fx.Client.PostJson($"/api/v1/groups/{group}/join", new { }, user)).AssertStatus(202);
        Assert.Equal(0L, await PurchasesAsync(group));

        // The approval invites; the next join asks for the payment, and the payment makes the member.
        var approved = await (
            await fx.Client.PostJson($"/api/v1/groups/{group}/requests/{userId}/approve", new { }, owner)
        ).AssertStatus(200);
        Assert.Equal("invited", approved["status"]!.GetValue<string>());
        Assert.Equal(1, approved["member_count"]!.GetValue<int>());
        Assert.Equal(0L, await GroupsFlow.MemberRowsAsync(fx, group, userId));
        var paid = Paid(userId, await ReferenceAsync(group, user), 1500, "AED");
        await fx.DeliverAsync(paid, "GroupMembershipPaidConsumer");
        Assert.Equal(1L, await GroupsFlow.MemberRowsAsync(fx, group, userId));
        Assert.Equal(0L, await OutboxAsync(nameof(GroupMembershipRejected), "paymentId", paid.PaymentId));
    }

    [Fact]
    public async Task A_payment_the_group_as_it_is_now_would_not_sell_is_rejected_for_a_refund()
    {
        var (_, owner, _) = await fx.RegisteredAsync();
        var (userId, user, _) = await fx.RegisteredAsync();

        // Made invite-only after the 402, to someone nobody invited.
        var invite = await GroupsFlow.CreateAsync(fx, owner, priceCents: 900, currency: "EUR");
        var inviteReference = await ReferenceAsync(invite, user);
        await ChangeAsync(invite, new { join_policy = "invite" }, owner);
        var forInvite = Paid(userId, inviteReference, 900, "EUR");
        await fx.DeliverAsync(forInvite, "GroupMembershipPaidConsumer");
        Assert.Contains("no longer admits", (await RejectedAsync(forInvite.PaymentId))["reason"]!.GetValue<string>());
        Assert.Equal(0L, await GroupsFlow.MemberRowsAsync(fx, invite, userId));

        // Made to approve its members after the 402, to someone nobody approved.
        var request = await GroupsFlow.CreateAsync(fx, owner, priceCents: 900, currency: "EUR");
        var requestReference = await ReferenceAsync(request, user);
        await ChangeAsync(request, new { join_policy = "request" }, owner);
        var forRequest = Paid(userId, requestReference, 900, "EUR");
        await fx.DeliverAsync(forRequest, "GroupMembershipPaidConsumer");
        Assert.Contains("no longer admits", (await RejectedAsync(forRequest.PaymentId))["reason"]!.GetValue<string>());
        Assert.Equal(0L, await GroupsFlow.MemberRowsAsync(fx, request, userId));

        // Repriced after the 402: the old price no longer buys it.
        var repriced = await GroupsFlow.CreateAsync(fx, owner, priceCents: 900, currency: "EUR");
        var oldReference = await ReferenceAsync(repriced, user);
        await ChangeAsync(repriced, new { price_cents = 1200 }, owner);
        var forOld = Paid(userId, oldReference, 900, "EUR");
        await fx.DeliverAsync(forOld, "GroupMembershipPaidConsumer");
        Assert.Contains("price changed", (await RejectedAsync(forOld.PaymentId))["reason"]!.GetValue<string>());
        Assert.Equal(0L, await GroupsFlow.MemberRowsAsync(fx, repriced, userId));
        Assert.Equal(
            1,
            await fx.ScalarAsync<int>("SELECT member_count FROM groups WHERE id = @g", ("g", Guid.Parse(repriced)))
        );

        // Invited since, the buyer's payment for the invite-only group is honoured.
        await (
            await fx.Client.PostJson($"/api/v1/groups/{invite}/invitations", new { user_id = userId }, owner)
        ).AssertStatus(201);
        var invited = Paid(userId, await ReferenceAsync(invite, user), 900, "EUR");
        await fx.DeliverAsync(invited, "GroupMembershipPaidConsumer");
        Assert.Equal(1L, await GroupsFlow.MemberRowsAsync(fx, invite, userId));
        Assert.Equal(0L, await OutboxAsync(nameof(GroupMembershipRejected), "paymentId", invited.PaymentId));
    }

    /// <summary>
    /// The wait after a removal is checked when a purchase opens; one opened before the removal and paid during the
    /// wait must not let the removed member straight back in.
    /// </summary>
    [Fact]
    public async Task A_purchase_paid_while_its_buyer_waits_after_a_removal_is_rejected_for_a_refund()
    {
        var (_, owner, _) = await fx.RegisteredAsync();
        var (userId, user, _) = await fx.RegisteredAsync();
        var group = await GroupsFlow.CreateAsync(fx, owner, priceCents: 900, currency: "EUR");
        var reference = await ReferenceAsync(group, user);
        // Free for a while: they join without paying, and the owner removes them (the wait starts).
        await ChangeAsync(group, new { price_cents = 0 }, owner);
        await (await fx.Client.PostJson($"/api/v1/groups/{group}/join", new { }, user)).AssertStatus(201);
        await (
            await fx.Client.SendJson(HttpMethod.Delete, $"/api/v1/groups/{group}/members/{userId}", null, owner)
        ).AssertStatus(204);
        // Priced as before: the purchase opened first matches the group again.
        await ChangeAsync(group, new { price_cents = 900, currency = "EUR" }, owner);

        var paid = Paid(userId, reference, 900, "EUR");
        await fx.DeliverAsync(paid, "GroupMembershipPaidConsumer");
        Assert.Contains("waits before joining", (await RejectedAsync(paid.PaymentId))["reason"]!.GetValue<string>());
        Assert.Equal(0L, await GroupsFlow.MemberRowsAsync(fx, group, userId));
        Assert.Equal(
            1,
            await fx.ScalarAsync<int>("SELECT member_count FROM groups WHERE id = @g", ("g", Guid.Parse(group)))
        );

        // Invited back by the owner, the wait is over: a payment of the same purchase admits them.
        await (
            await fx.Client.PostJson($"/api/v1/groups/{group}/invitations", new { user_id = userId }, owner)
        ).AssertStatus(201);
        var again = Paid(userId, reference, 900, "EUR");
        await fx.DeliverAsync(again, "GroupMembershipPaidConsumer");
        Assert.Equal(1L, await GroupsFlow.MemberRowsAsync(fx, group, userId));
        Assert.Equal(0L, await OutboxAsync(nameof(GroupMembershipRejected), "paymentId", again.PaymentId));
    }

    [Fact]
    public async Task After_a_hand_over_the_new_owner_sells_and_a_purchase_opened_before_is_refunded()
    {
        var (_, former, _) = await fx.RegisteredAsync();
        var (heirId, heir, _) = await fx.RegisteredAsync();
        var (userId, user, _) = await fx.RegisteredAsync();
        var group = await GroupsFlow.CreateAsync(fx, former, priceCents: 900, currency: "EUR");
        var heirs = Paid(heirId, await ReferenceAsync(group, heir), 900, "EUR");
        await fx.DeliverAsync(heirs, "GroupMembershipPaidConsumer");
        var before = await ReferenceAsync(group, user);

        await (
            await fx.Client.SendJson(
                HttpMethod.Patch,
                $"/api/v1/groups/{group}/members/{heirId}",
                new { role = "owner" },
                former
            )
        ).AssertStatus(200);

        // Asked again, the buyer gets a purchase of the new owner's, which payments names its seller.
        var after = await ReferenceAsync(group, user);
        Assert.NotEqual(before, after);
        Assert.Equal(heirId.ToString(), (await PendingAsync(after))["ownerUserId"]!.GetValue<string>());
        // The purchase opened before goes unpaid to the former owner: its payment is refunded, nobody admitted.
        var old = Paid(userId, before, 900, "EUR");
        await fx.DeliverAsync(old, "GroupMembershipPaidConsumer");
        Assert.Contains("changed hands", (await RejectedAsync(old.PaymentId))["reason"]!.GetValue<string>());
        Assert.Equal(0L, await GroupsFlow.MemberRowsAsync(fx, group, userId));
        var paid = Paid(userId, after, 900, "EUR");
        await fx.DeliverAsync(paid, "GroupMembershipPaidConsumer");
        Assert.Equal(1L, await GroupsFlow.MemberRowsAsync(fx, group, userId));
    }

    [Fact]
    public async Task A_former_owners_refund_ends_no_membership_and_a_sellers_ends_a_plain_members_only()
    {
        var (_, former, _) = await fx.RegisteredAsync();
        var (heirId, heir, _) = await fx.RegisteredAsync();
        var (moderatorId, moderator, _) = await fx.RegisteredAsync();
        var (memberId, member, _) = await fx.RegisteredAsync();
        var group = await GroupsFlow.CreateAsync(fx, former, priceCents: 900, currency: "EUR");
        var paid = new Dictionary<Guid, PaymentSucceeded>();
        foreach (var (id, token) in new[] { (heirId, heir), (moderatorId, moderator), (memberId, member) })
        {
            paid[id] = Paid(id, await ReferenceAsync(group, token), 900, "EUR");
            await fx.DeliverAsync(paid[id], "GroupMembershipPaidConsumer");
        }
        Task<HttpResponseMessage> Role(Guid userId, string role, string by) =>
            fx.Client.SendJson(HttpMethod.Patch, $"/api/v1/groups/{group}/members/{userId}", new { role }, by);
        await (await Role(moderatorId, "moderator", former)).AssertStatus(200);
        PaymentRefunded Refund(PaymentSucceeded payment) =>
            new(
                Guid.NewGuid(),
                fx.Clock.GetUtcNow(),
                payment.PaymentId,
                payment.UserId,
                payment.ReferenceId,
                900,
                900,
                "EUR"
            );

        // The seller, still the owner, refunds a moderator in full: who moderates is the owner's call, and stays.
        await fx.DeliverAsync(Refund(paid[moderatorId]), "GroupMembershipRefundedConsumer");
        Assert.Equal(1L, await GroupsFlow.MemberRowsAsync(fx, group, moderatorId));

        // The group changes hands; its former owner, still the seller of what was paid before, refunds a member.
        await (await Role(heirId, "owner", former)).AssertStatus(200);
        await fx.DeliverAsync(Refund(paid[memberId]), "GroupMembershipRefundedConsumer");
        Assert.Equal(1L, await GroupsFlow.MemberRowsAsync(fx, group, memberId));
    }

    [Fact]
    public async Task A_paid_join_ends_the_request_that_waited_for_the_deciders()
    {
        var (_, owner, _) = await fx.RegisteredAsync();
        var (userId, user, _) = await fx.RegisteredAsync();
        var group = await GroupsFlow.CreateAsync(fx, owner, policy: "request", priceCents: 900, currency: "EUR");
        await (await fx.Client.PostJson($"/api/v1/groups/{group}/join", new { }, user)).AssertStatus(202);
        // Opened to anyone while the request waited: the person pays and is in.
        await ChangeAsync(group, new { join_policy = "open" }, owner);
        await fx.DeliverAsync(
            Paid(userId, await ReferenceAsync(group, user), 900, "EUR"),
            "GroupMembershipPaidConsumer"
        );
        Assert.Equal(1L, await GroupsFlow.MemberRowsAsync(fx, group, userId));
        // The request is no longer the deciders' to act on: messaging settles their "asked to join".
        Assert.Equal(
            1L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM outbox_messages WHERE type LIKE '%.GroupJoinRequestEnded,%' "
                    + "AND payload->>'groupId' = @g AND payload->>'userId' = @u",
                ("g", group),
                ("u", userId.ToString())
            )
        );
    }

    [Fact]
    public async Task A_paid_join_across_a_block_with_the_owner_is_403_and_sells_nothing()
    {
        var (_, blocking, _) = await fx.RegisteredAsync();
        var (blockedId, blocked, _) = await fx.RegisteredAsync();
        var (userId, user, _) = await fx.RegisteredAsync();
        var byBlocker = await GroupsFlow.CreateAsync(fx, blocking, priceCents: 900, currency: "EUR");
        var byBlocked = await GroupsFlow.CreateAsync(fx, blocked, priceCents: 900, currency: "EUR");
        // The owner blocked the buyer, and the buyer blocked the other owner.
        await PeopleFlow.BlockAsync(fx, blocking, userId);
        await PeopleFlow.BlockAsync(fx, user, blockedId);

        foreach (var group in new[] { byBlocker, byBlocked })
        {
            await (await fx.Client.PostJson($"/api/v1/groups/{group}/join", new { }, user)).AssertProblem(403);
            Assert.Equal(0L, await PurchasesAsync(group));
            Assert.Equal(0L, await GroupsFlow.MemberRowsAsync(fx, group, userId));
        }
    }

    [Fact]
    public async Task A_free_group_still_joins_at_once_and_other_purposes_are_not_social_s()
    {
        var (_, owner, _) = await fx.RegisteredAsync();
        var (userId, user, _) = await fx.RegisteredAsync();
        var group = await GroupsFlow.CreateAsync(fx, owner);
        var joined = await (await fx.Client.PostJson($"/api/v1/groups/{group}/join", new { }, user)).AssertStatus(201);
        Assert.Equal(2, joined["member_count"]!.GetValue<int>());
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM group_purchases WHERE group_id = @g",
                ("g", Guid.Parse(group))
            )
        );

        var course = new PaymentSucceeded(
            Guid.NewGuid(),
            fx.Clock.GetUtcNow(),
            Guid.NewGuid(),
            userId,
            PaymentPurposes.Course,
            Guid.NewGuid(),
            900,
            "EUR"
        );
        await fx.DeliverIgnoredAsync(course);
        Assert.Equal(0L, await OutboxAsync(nameof(GroupMembershipRejected), "paymentId", course.PaymentId));
    }

    private PaymentSucceeded Paid(Guid userId, Guid reference, long amountCents, string currency) =>
        new(
            Guid.NewGuid(),
            fx.Clock.GetUtcNow(),
            Guid.NewGuid(),
            userId,
            PaymentPurposes.GroupMembership,
            reference,
            amountCents,
            currency
        );

    private async Task<Guid> ReferenceAsync(string group, string token) =>
        (await (await fx.Client.PostJson($"/api/v1/groups/{group}/join", new { }, token)).AssertProblem(402))[
            "checkout"
        ]!["reference_id"]!.GetValue<Guid>();

    private Task<long> PurchasesAsync(string group) =>
        fx.ScalarAsync<long>("SELECT count(*) FROM group_purchases WHERE group_id = @g", ("g", Guid.Parse(group)));

    private async Task ChangeAsync(string group, object change, string owner) =>
        await (await fx.Client.SendJson(HttpMethod.Patch, $"/api/v1/groups/{group}", change, owner)).AssertStatus(200);

    private Task<long> OutboxAsync(string type, string field, Guid value) =>
        fx.ScalarAsync<long>(
            $"SELECT count(*) FROM outbox_messages WHERE type LIKE '%.{type},%' AND payload->>'{field}' = @v",
            ("v", value.ToString())
        );

    private async Task<JsonNode> PendingAsync(Guid reference) =>
        await PayloadAsync(nameof(GroupMembershipPending), "purchaseId", reference);

    /// <summary>The one GroupMembershipRejected for the payment (a second would refund twice in intent).</summary>
    private async Task<JsonNode> RejectedAsync(Guid paymentId)
    {
        Assert.Equal(1L, await OutboxAsync(nameof(GroupMembershipRejected), "paymentId", paymentId));
        return await PayloadAsync(nameof(GroupMembershipRejected), "paymentId", paymentId);
    }

    private async Task<JsonNode> PayloadAsync(string type, string field, Guid value) =>
        JsonNode.Parse(
            await fx.ScalarAsync<string>(
                $"SELECT payload::text FROM outbox_messages WHERE type LIKE '%.{type},%' AND payload->>'{field}' = @v",
                ("v", value.ToString())
            ) ?? "null"
        )!;
}
