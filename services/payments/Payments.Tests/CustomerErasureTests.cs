using Community.Contracts.Identity;

namespace Community.Payments.Tests;

/// <summary>
/// A deleted account's customers at Stripe (what its buyer gave the checkouts: e-mail, name, saved card) are deleted
/// there, once, whatever Stripe answers first.
/// </summary>
public sealed class CustomerErasureTests(StripePaymentsFixture fx) : IClassFixture<StripePaymentsFixture>
{
    [Fact]
    public async Task Deleting_the_account_deletes_its_stripe_customer_once_beside_its_subscription()
    {
        var (userId, token) = fx.User();
        var (customer, subscriptionId) = await SubscribeAsync(userId, token);

        var deleted = new UserDeleted(Guid.NewGuid(), fx.Clock.GetUtcNow(), userId);
        await fx.DeliverAsync(deleted);

        await DoneAsync(customer);
        Assert.True(fx.Stripe.IsGone(customer));
        var deletion = Assert.Single(fx.Stripe.CustomerDeletions(customer));
        Assert.Null(deletion.IdempotencyKey);
        // The subscription is asked to stop as well; whichever call comes second finds it done.
        await Eventually.TrueAsync(
            async () =>
                await fx.ScalarAsync<long>(
                    "SELECT count(*) FROM subscription_cancellations WHERE provider_subscription_id = @s "
                        + "AND done_at IS NOT NULL",
                    ("s", subscriptionId)
                ) == 1,
            "the subscription's stop never ended"
        );

        // Delivered again, or announced again under another id: nothing more is asked of Stripe.
        await fx.PublishAsync(deleted);
        await fx.ConsumedAsync(deleted.MessageId, "UserDeletedConsumer", 2);
        await fx.DeliverAsync(deleted with { MessageId = Guid.NewGuid() });
        Assert.Single(fx.Stripe.CustomerDeletions(customer));
        Assert.Equal(1L, await RequestsAsync(customer));
    }

    [Fact]
    public async Task A_customer_deletion_stripe_fails_is_asked_again_until_stripe_deletes_it_once()
    {
        var (userId, token) = fx.User();
        var (customer, _) = await SubscribeAsync(userId, token);
        fx.Stripe.FailNext("/v1/customers/" + customer, 500, times: 2);

        await fx.DeliverAsync(new UserDeleted(Guid.NewGuid(), fx.Clock.GetUtcNow(), userId));

        await DoneAsync(customer);
        Assert.True(fx.Stripe.IsGone(customer));
        // Two failures, then the one deletion; nothing after it.
        Assert.Equal(3, fx.Stripe.CustomerDeletions(customer).Count);
        Assert.Equal(1L, await RequestsAsync(customer));
    }

    [Fact]
    public async Task A_customer_already_gone_at_stripe_counts_as_deleted_and_is_not_asked_again()
    {
        var (userId, token) = fx.User();
        var (customer, _) = await SubscribeAsync(userId, token);
        fx.Stripe.CustomerGoneElsewhere(customer);

        await fx.DeliverAsync(new UserDeleted(Guid.NewGuid(), fx.Clock.GetUtcNow(), userId));

        await DoneAsync(customer);
        Assert.Single(fx.Stripe.CustomerDeletions(customer));
        Assert.Equal(
            0,
            await fx.ScalarAsync<int>(
                "SELECT attempts FROM customer_deletions WHERE provider_customer_id = @c",
                ("c", customer)
            )
        );
    }

    [Fact]
    public async Task A_subscription_checkout_paid_after_the_account_was_deleted_has_its_customer_deleted_too()
    {
        var (userId, token) = fx.User();
        var checkout = await fx.SubscriptionCheckoutAsync(token);
        var paymentId = Guid.Parse(checkout["payment_id"]!.GetValue<string>());
        var customer = StripePaymentsFixture.CustomerOf(paymentId);
        await fx.DeliverAsync(new UserDeleted(Guid.NewGuid(), fx.Clock.GetUtcNow(), userId));
        Assert.Empty(fx.Stripe.CustomerDeletions(customer));

        // The page was still open at Stripe and the buyer paid: Stripe made a customer for the account, too late.
        await fx.AcceptedAsync(StripePaymentsFixture.SubscriptionCheckoutCompleted(checkout));

        await DoneAsync(customer);
        Assert.Single(fx.Stripe.CustomerDeletions(customer));
        Assert.Equal(1L, await RequestsAsync(customer));
    }

    [Fact]
    public async Task An_account_whose_checkouts_made_no_customer_asks_stripe_to_delete_none()
    {
        var (userId, token) = fx.User();
        var checkout = await (
            await fx.Client.PostJson(
                "/api/v1/boosts/checkout",
                new
                {
                    days = 7,
                    success_url = "https://app.example/paid",
                    cancel_url = "https://app.example/cancelled",
                },
                token
            )
        ).AssertStatus(200);
        var paymentId = Guid.Parse(checkout["payment_id"]!.GetValue<string>());
        // A payment-mode checkout: Stripe makes no customer for it (customer_creation is left to if_required).
        await fx.AcceptedAsync(
            StripePaymentsFixture.Event(
                "checkout.session.completed",
                StripePaymentsFixture.Session(checkout["session_id"]!.GetValue<string>(), paymentId)
            )
        );

        int Asked() => fx.Stripe.Received.Count(r => r.Path.StartsWith("/v1/customers", StringComparison.Ordinal));
        var before = Asked();

        await fx.DeliverAsync(new UserDeleted(Guid.NewGuid(), fx.Clock.GetUtcNow(), userId));

        Assert.Equal(before, Asked());
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>("SELECT count(*) FROM customer_deletions WHERE user_id = @u", ("u", userId))
        );
    }

    /// <summary>A paid premium subscription; its customer and subscription at Stripe.</summary>
    private async Task<(string Customer, string SubscriptionId)> SubscribeAsync(Guid userId, string token)
    {
        var checkout = await fx.SubscriptionCheckoutAsync(token);
        var paymentId = Guid.Parse(checkout["payment_id"]!.GetValue<string>());
        var (customer, subscriptionId) = (
            StripePaymentsFixture.CustomerOf(paymentId),
            "sub_" + paymentId.ToString("N")
        );
        fx.Stripe.Subscribes(customer, subscriptionId);
        await fx.AcceptedAsync(StripePaymentsFixture.SubscriptionCheckoutCompleted(checkout));
        await Eventually.TrueAsync(
            async () =>
                await fx.ScalarAsync<string>("SELECT tier FROM subscriptions WHERE user_id = @u", ("u", userId))
                == "premium",
            "never premium"
        );
        return (customer, subscriptionId);
    }

    /// <summary>Waits until the deletion of <paramref name="customer"/> is marked done.</summary>
    private Task DoneAsync(string customer) =>
        Eventually.TrueAsync(
            async () =>
                await fx.ScalarAsync<long>(
                    "SELECT count(*) FROM customer_deletions WHERE provider_customer_id = @c AND done_at IS NOT NULL",
                    ("c", customer)
                ) == 1,
            $"customer {customer} was never deleted at Stripe"
        );

    private Task<long> RequestsAsync(string customer) =>
        fx.ScalarAsync<long>(
            "SELECT count(*) FROM outbox_messages WHERE type LIKE '%.CustomerDeletionRequested,%' AND "
                + "payload->>'providerCustomerId' = @c",
            ("c", customer)
        );
}
