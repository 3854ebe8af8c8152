using Community.Contracts;
using Community.Contracts.Social;
using Community.Payments.Sales;

namespace Community.Payments.Tests;

/// <summary>
/// Paid group memberships: priced from social's GroupMembershipPending, refunded on its GroupMembershipRejected.
/// </summary>
public sealed class GroupMembershipSalesTests(PaymentsFixture fx) : IClassFixture<PaymentsFixture>
{
    [Fact]
    public async Task A_membership_is_sold_at_the_announced_price_to_its_buyer_only()
    {
        var (userId, token) = fx.User();
        var purchaseId = Guid.NewGuid();

        // Right after social's 402 the announcement may not have arrived: retry, not 404.
        var early = await fx.Client.PostJson(
            "/api/v1/payments/checkout",
            new
            {
                purpose = PaymentPurposes.GroupMembership,
                reference_id = purchaseId,
                success_url = "https://app.example/paid",
                cancel_url = "https://app.example/cancelled",
            },
            token
        );
        await early.AssertProblem(409);
        Assert.NotNull(early.Headers.RetryAfter);

        var announced = Pending(purchaseId, userId, 1500, "AED");
        await DeliverAsync(announced, nameof(GroupMembershipPendingConsumer));
        // Announced again at another price (a replay past the inbox): the first price stands.
        await DeliverAsync(
            announced with
            {
                MessageId = Guid.NewGuid(),
                PriceCents = 1,
            },
            nameof(GroupMembershipPendingConsumer)
        );

        var stranger = await fx.Client.PostJson(
            "/api/v1/payments/checkout",
            new
            {
                purpose = PaymentPurposes.GroupMembership,
                reference_id = purchaseId,
                success_url = "https://app.example/paid",
                cancel_url = "https://app.example/cancelled",
            },
            fx.User().Token
        );
        await stranger.AssertProblem(404);

        var checkout = await fx.CheckoutAsync(token, PaymentPurposes.GroupMembership, purchaseId);
        Assert.Equal(1500, checkout["amount_cents"]!.GetValue<long>());
        Assert.Equal("AED", checkout["currency"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Redirect, (await fx.PressAsync(checkout)).StatusCode);

        var paymentId = checkout["payment_id"]!.GetValue<Guid>();
        Assert.Equal("succeeded", await StatusAsync(paymentId));
        Assert.Equal(
            1L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM outbox_messages WHERE type LIKE '%.PaymentSucceeded,%' AND "
                    + "payload->>'paymentId' = @p AND payload->>'purpose' = 'group_membership' "
                    + "AND payload->>'referenceId' = @r AND (payload->>'amountCents')::bigint = 1500",
                ("p", paymentId.ToString()),
                ("r", purchaseId.ToString())
            )
        );
        Assert.Equal(
            announced.OwnerUserId,
            await fx.ScalarAsync<Guid>("SELECT seller_user_id FROM payments WHERE id = @p", ("p", paymentId))
        );
    }

    [Fact]
    public async Task A_membership_social_rejects_is_refunded_in_full_once()
    {
        var (userId, token) = fx.User();
        var purchaseId = Guid.NewGuid();
        await DeliverAsync(Pending(purchaseId, userId, 900, "EUR"), nameof(GroupMembershipPendingConsumer));
        var checkout = await fx.CheckoutAsync(token, PaymentPurposes.GroupMembership, purchaseId);
        Assert.Equal(HttpStatusCode.Redirect, (await fx.PressAsync(checkout)).StatusCode);
        var paymentId = checkout["payment_id"]!.GetValue<Guid>();
        Assert.Equal("succeeded", await StatusAsync(paymentId));

        var rejected = new GroupMembershipRejected(
            Guid.NewGuid(),
            fx.Clock.GetUtcNow(),
            paymentId,
            purchaseId,
            "The group was deleted."
        );
        await DeliverAsync(rejected, nameof(GroupMembershipRejectedConsumer));
        await Eventually.TrueAsync(
            async () => await StatusAsync(paymentId) == "refunded",
            "the rejected membership was never refunded"
        );
        // Rejected again in a new message (social saw the payment twice): no second refund is asked for. Its request
        // would be in the outbox with the inbox row waited for; the refund row alone could not tell (same id).
        await DeliverAsync(rejected with { MessageId = Guid.NewGuid() }, nameof(GroupMembershipRejectedConsumer));
        Assert.Equal(1L, await fx.OutboxCountAsync("PaymentRefundRequested", paymentId));
        Assert.Equal(
            1L,
            await fx.ScalarAsync<long>("SELECT count(*) FROM refunds WHERE payment_id = @p", ("p", paymentId))
        );
        Assert.Equal(
            900,
            await fx.ScalarAsync<long>("SELECT refunded_cents FROM payments WHERE id = @p", ("p", paymentId))
        );
        Assert.Equal(1L, await fx.OutboxCountAsync("PaymentRefunded", paymentId));
    }

    /// <summary>
    /// A group deleted: its memberships awaiting payment are sold no more and their open checkouts end, so nobody pays
    /// only to be refunded (Stripe's fee lost); one whose price is told after the deletion is not put up for sale.
    /// Another group's membership is still sold.
    /// </summary>
    [Fact]
    public async Task A_deleted_groups_memberships_are_sold_no_more_whenever_their_price_is_told()
    {
        var (userId, token) = fx.User();
        var groupId = Guid.NewGuid();
        var open = Pending(Guid.NewGuid(), userId, 1500, "AED") with { GroupId = groupId };
        var elsewhere = Pending(Guid.NewGuid(), userId, 900, "AED");
        await DeliverAsync(open, nameof(GroupMembershipPendingConsumer));
        await DeliverAsync(elsewhere, nameof(GroupMembershipPendingConsumer));
        var checkout = await fx.CheckoutAsync(token, PaymentPurposes.GroupMembership, open.PurchaseId);
        var paymentId = Guid.Parse(checkout["payment_id"]!.GetValue<string>());

        await DeliverAsync(new GroupDeleted(Guid.NewGuid(), DateTimeOffset.UtcNow, groupId), "GroupDeletedConsumer");
        Assert.Equal("expired", await StatusAsync(paymentId));
        var ended = await (
            await fx.StartCheckoutAsync(token, PaymentPurposes.GroupMembership, open.PurchaseId)
        ).AssertProblem(422);
        Assert.Contains("can no longer be paid", ended["detail"]!.GetValue<string>());
        Assert.Equal(
            1L,
            await fx.ScalarAsync<long>("SELECT count(*) FROM payments WHERE reference_id = @r", ("r", open.PurchaseId))
        );

        // Told after the deletion (its message came later): never on sale.
        var late = Pending(Guid.NewGuid(), userId, 1500, "AED") with
        {
            GroupId = groupId,
        };
        await DeliverAsync(late, nameof(GroupMembershipPendingConsumer));
        await (await fx.StartCheckoutAsync(token, PaymentPurposes.GroupMembership, late.PurchaseId)).AssertProblem(422);

        var other = await fx.CheckoutAsync(token, PaymentPurposes.GroupMembership, elsewhere.PurchaseId);
        Assert.Equal(900, other["amount_cents"]!.GetValue<long>());
    }

    private static GroupMembershipPending Pending(Guid purchaseId, Guid userId, long priceCents, string currency) =>
        new(
            Guid.NewGuid(),
            DateTimeOffset.UtcNow,
            purchaseId,
            Guid.NewGuid(),
            userId,
            priceCents,
            currency,
            Guid.NewGuid()
        );

    private Task<string?> StatusAsync(Guid paymentId) =>
        fx.ScalarAsync<string>("SELECT status FROM payments WHERE id = @p", ("p", paymentId));

    private async Task DeliverAsync<T>(T message, string consumer)
        where T : class, IIntegrationEvent
    {
        await fx
            .Host.Services.GetRequiredService<IBus>()
            .Publish(message, context => context.MessageId = message.MessageId);
        await Eventually.TrueAsync(
            async () =>
                await fx.ScalarAsync<long>(
                    "SELECT count(*) FROM inbox_messages WHERE message_id = @id AND consumer LIKE '%.' || @c",
                    ("id", message.MessageId),
                    ("c", consumer)
                ) == 1,
            $"{consumer} never handled message {message.MessageId}"
        );
    }
}
