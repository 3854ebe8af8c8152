namespace Community.Payments.Subscriptions;

/// <summary>
/// Every change to a subscription goes through <see cref="ChangeAsync"/>: it derives the
/// subscription's tier from its status and plan, then has <see cref="Memberships"/> work out the
/// user's tier from all sources, which publishes SubscriptionChanged (in the same transaction)
/// when that moves.
/// </summary>
public sealed class SubscriptionBook(PaymentsDbContext db, Memberships memberships, TimeProvider clock)
{
    /// <summary>The user's subscription row, locked for the rest of the current transaction.</summary>
    public async Task<Subscription?> LockAsync(Guid userId, CancellationToken cancellationToken) =>
        (
            await db.Set<Subscription>()
                .FromSql($"SELECT * FROM subscriptions WHERE user_id = {userId} FOR UPDATE")
                .ToListAsync(cancellationToken)
        ).SingleOrDefault();

    public async Task<Subscription?> LockByProviderIdAsync(
        string providerSubscriptionId,
        CancellationToken cancellationToken
    ) =>
        (
            await db.Set<Subscription>()
                .FromSql(
                    $"SELECT * FROM subscriptions WHERE provider_subscription_id = {providerSubscriptionId} FOR UPDATE"
                )
                .ToListAsync(cancellationToken)
        ).SingleOrDefault();

    /// <summary>A new row (tier free until <see cref="ChangeAsync"/> activates it); the caller saves.</summary>
    public Subscription Add(Guid userId, string plan)
    {
        var subscription = new Subscription
        {
            UserId = userId,
            Plan = plan,
            Tier = Tiers.Free,
            UpdatedAt = clock.GetUtcNow(),
        };
        db.Set<Subscription>().Add(subscription);
        return subscription;
    }

    public async Task ChangeAsync(
        Subscription subscription,
        Action<Subscription> change,
        CancellationToken cancellationToken
    )
    {
        change(subscription);
        subscription.Tier = SubscriptionStatus.Entitles(subscription.Status) ? subscription.Plan : Tiers.Free;
        subscription.UpdatedAt = clock.GetUtcNow();
        await memberships.RefreshAsync(subscription.UserId, subscription, cancellationToken);
    }
}
