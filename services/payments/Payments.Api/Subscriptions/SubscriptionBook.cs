using Community.Contracts.Payments;
using Community.Payments.Data;
using Community.ServiceDefaults.Auth;
using Community.ServiceDefaults.Messaging;
using Microsoft.EntityFrameworkCore;

namespace Community.Payments.Subscriptions;

/// <summary>
/// Every change to a subscription goes through <see cref="Change"/>: it derives the tier from the
/// status and plan and publishes SubscriptionChanged (in the same transaction) whenever the tier
/// or the paid-up period moves, and only then.
/// </summary>
public sealed class SubscriptionBook(PaymentsDbContext db, TimeProvider clock)
{
    /// <summary>The user's subscription row, locked for the rest of the current transaction.</summary>
    public async Task<Subscription?> LockAsync(Guid userId, CancellationToken cancellationToken) =>
        (await db.Set<Subscription>().FromSql($"SELECT * FROM subscriptions WHERE user_id = {userId} FOR UPDATE")
            .ToListAsync(cancellationToken)).SingleOrDefault();

    public async Task<Subscription?> LockByProviderIdAsync(string providerSubscriptionId, CancellationToken cancellationToken) =>
        (await db.Set<Subscription>().FromSql($"SELECT * FROM subscriptions WHERE provider_subscription_id = {providerSubscriptionId} FOR UPDATE")
            .ToListAsync(cancellationToken)).SingleOrDefault();

    /// <summary>A new row (tier free until <see cref="Change"/> activates it); the caller saves.</summary>
    public Subscription Add(Guid userId, string plan)
    {
        var subscription = new Subscription { UserId = userId, Plan = plan, Tier = Policies.Tiers.Free, UpdatedAt = clock.GetUtcNow() };
        db.Set<Subscription>().Add(subscription);
        return subscription;
    }

    public void Change(Subscription subscription, Action<Subscription> change)
    {
        var (tier, periodEnd) = (subscription.Tier, subscription.CurrentPeriodEnd);
        change(subscription);
        var now = clock.GetUtcNow();
        subscription.Tier = SubscriptionStatus.Entitles(subscription.Status) ? subscription.Plan : Policies.Tiers.Free;
        subscription.UpdatedAt = now;
        var paid = subscription.Tier != Policies.Tiers.Free;
        if (subscription.Tier != tier || (paid && subscription.CurrentPeriodEnd != periodEnd))
            db.AddIntegrationEvent(new SubscriptionChanged(
                Guid.NewGuid(), now, subscription.UserId, subscription.Tier, paid ? subscription.CurrentPeriodEnd : null));
    }
}
