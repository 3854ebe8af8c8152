namespace Community.Payments.Subscriptions;

/// <summary>What other features may do to a subscription (their webhooks' findings about it).</summary>
public sealed class SubscriptionAccess(PaymentsDbContext db, SubscriptionBook book, TimeProvider clock)
{
    /// <summary>
    /// The member disputed paying for one of <paramref name="providerSubscriptionId"/>'s renewals: the subscription
    /// ends now, here (in the caller's transaction, saved with it) and at the provider
    /// (<see cref="SubscriptionCanceller"/>). Its user, or null when it is not a live subscription here (unknown, or
    /// ended already).
    /// </summary>
    public async Task<Guid?> EndDisputedAsync(string providerSubscriptionId, CancellationToken cancellationToken)
    {
        var subscription = await book.LockByProviderIdAsync(providerSubscriptionId, cancellationToken);
        if (subscription is null || subscription.Status == SubscriptionStatus.Canceled)
            return null;
        await SubscriptionRefundedConsumer.EndNowAsync(book, subscription, clock, cancellationToken);
        SubscriptionCanceller.Request(
            db,
            subscription.UserId,
            providerSubscriptionId,
            atPeriodEnd: false,
            null,
            clock.GetUtcNow()
        );
        return subscription.UserId;
    }
}
