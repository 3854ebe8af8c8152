using Community.Contracts.Identity;

namespace Community.Payments.Subscriptions;

/// <summary>
/// A deleted account is billed no more and keeps no tier: its subscription is stopped at the provider now, not at the
/// period end (after the commit, by <see cref="SubscriptionCanceller"/>), and its subscription, referral
/// rewards and membership end. Not through <see cref="SubscriptionBook.ChangeAsync"/>: nothing is published, as every
/// service erases the user on the same UserDeleted.
/// </summary>
public sealed class SubscriptionEraser(
    PaymentsDbContext db,
    SubscriptionBook book,
    TimeProvider clock,
    ILogger<SubscriptionEraser> logger
) : IUserDataEraser
{
    public async Task EraseAsync(UserDeleted deleted, CancellationToken cancellationToken)
    {
        var userId = deleted.UserId;
        var now = clock.GetUtcNow();
        var subscription = await book.LockAsync(userId, cancellationToken);
        if (subscription is not null && subscription.Status != SubscriptionStatus.Canceled)
        {
            if (subscription.ProviderSubscriptionId is { } providerId)
            {
                SubscriptionCanceller.Request(db, userId, providerId, atPeriodEnd: false, null, now);
                logger.LogInformation(
                    "User {UserId} was deleted: their subscription {SubscriptionId} is cancelled now",
                    userId,
                    providerId
                );
            }
            subscription.Status = SubscriptionStatus.Canceled;
            subscription.Tier = Tiers.Free;
            subscription.CancelAtPeriodEnd = false;
            subscription.CurrentPeriodEnd = now;
            subscription.UpdatedAt = now;
        }
        await db
            .ReferralRewards.Where(r => r.ReferrerUserId == userId && r.RevokedAt == null)
            .ExecuteUpdateAsync(set => set.SetProperty(r => r.RevokedAt, now), cancellationToken);
        await db
            .Memberships.Where(m => m.UserId == userId)
            .ExecuteUpdateAsync(
                set =>
                    set.SetProperty(m => m.Tier, Tiers.Free)
                        .SetProperty(m => m.TierUntil, (DateTimeOffset?)null)
                        .SetProperty(m => m.Source, MembershipSources.None)
                        .SetProperty(m => m.ReviewAt, (DateTimeOffset?)null)
                        .SetProperty(m => m.UpdatedAt, now),
                cancellationToken
            );
    }
}
