using Stripe;
using Subscription = Community.Payments.Data.Subscription;

namespace Community.Payments.Subscriptions;

/// <summary>
/// Stripe's word on a subscription after checkout: renewals move current_period_end, failed
/// renewals change the status, a cancellation scheduled elsewhere (the dashboard) sets
/// cancel_at_period_end, and deleted ends it. Events about a subscription we no longer hold
/// (one replaced by a newer purchase) change nothing.
/// </summary>
public sealed class SubscriptionWebhookHandler(
    PaymentsDbContext db,
    SubscriptionBook book,
    IOptions<PaymentsOptions> options,
    ILogger<SubscriptionWebhookHandler> logger
) : IWebhookHandler
{
    public IReadOnlyCollection<string> EventTypes { get; } =
    ["customer.subscription.updated", "customer.subscription.deleted"];

    public async Task HandleAsync(Event e, CancellationToken cancellationToken)
    {
        if (
            e.Data.Object is not Stripe.Subscription reported
            || await FindAsync(reported, cancellationToken) is not { } subscription
        )
        {
            // One we sold and replaced since (or whose row is gone) is reported until Stripe ends it: normal.
            if (
                (e.Data.Object as Stripe.Subscription)?.Id is { } providerId
                && await db.Payments.AnyAsync(p => p.ProviderSubscriptionId == providerId, cancellationToken)
            )
                logger.LogInformation(
                    "Stripe event {EventId} ({Type}) is about subscription {ProviderId}, which we sold and hold no "
                        + "more (replaced); ignored",
                    e.Id,
                    e.Type,
                    providerId
                );
            else
                logger.LogWarning(
                    "Stripe event {EventId} ({Type}) names no subscription we hold; ignored",
                    e.Id,
                    e.Type
                );
            return;
        }

        var created = new DateTimeOffset(DateTime.SpecifyKind(e.Created, DateTimeKind.Utc));
        if (e.Type == "customer.subscription.deleted")
        {
            await book.ChangeAsync(
                subscription,
                s =>
                {
                    s.Status = SubscriptionStatus.Canceled;
                    s.CancelAtPeriodEnd = false;
                    s.ProviderEventAt = Later(s.ProviderEventAt, created);
                },
                cancellationToken
            );
            return;
        }

        // Stripe does not deliver in order, and retries a failed delivery later: an update created before the newest
        // one applied says what is no longer so (an unpaid renewal since paid; a pause since lifted).
        if (subscription.ProviderEventAt is { } newest && created < newest)
        {
            logger.LogInformation(
                "Stripe event {EventId} ({Type}) is older than the newest applied to {ProviderId}; ignored",
                e.Id,
                e.Type,
                subscription.ProviderSubscriptionId
            );
            return;
        }

        // A deleted subscription never comes back; an update that reached us after it is stale.
        if (subscription.Status == SubscriptionStatus.Canceled)
            return;
        var status = reported.Status;
        if (status is null || !SubscriptionStatus.FromProvider.Contains(status))
        {
            logger.LogWarning(
                "Stripe event {EventId} has subscription status {Status}, which we do not know; ignored",
                e.Id,
                status
            );
            return;
        }
        var periodEnd = PeriodEnd(reported);
        // Periods only move forward: an update about an earlier period (ending a whole period before ours) arrived out
        // of order. One ending a little before ours is about the same period: the end we set at the payment is the
        // provider's anchor from a moment later, or a month shorter than the one we counted.
        var periodDays = SubscriptionPeriods.DaysOf(subscription, options.Value) ?? 1;
        if (
            periodEnd is not null
            && subscription.CurrentPeriodEnd is { } known
            && periodEnd < known - TimeSpan.FromDays(periodDays / 2.0)
        )
            return;
        await book.ChangeAsync(
            subscription,
            s =>
            {
                s.Status = status;
                s.CurrentPeriodEnd = periodEnd ?? s.CurrentPeriodEnd;
                s.CancelAtPeriodEnd = reported.CancelAtPeriodEnd;
                s.ProviderEventAt = created;
            },
            cancellationToken
        );
    }

    private static DateTimeOffset Later(DateTimeOffset? a, DateTimeOffset b) => a is { } known && known > b ? known : b;

    private async Task<Subscription?> FindAsync(Stripe.Subscription reported, CancellationToken cancellationToken)
    {
        if (reported.Id is not { } providerId)
            return null;
        if (await book.LockByProviderIdAsync(providerId, cancellationToken) is { } known)
            return known;
        // A subscription created with our metadata but whose id we never learned from the checkout.
        return
            Guid.TryParse(reported.Metadata?.GetValueOrDefault("user_id"), out var userId)
            && await book.LockAsync(userId, cancellationToken) is { ProviderSubscriptionId: null } unnamed
            ? Adopt(unnamed, providerId)
            : null;
    }

    private static Subscription Adopt(Subscription subscription, string providerId)
    {
        subscription.ProviderSubscriptionId = providerId;
        return subscription;
    }

    /// <summary>current_period_end: on the subscription's first item since Stripe's 2025-03-31 API version.</summary>
    private static DateTimeOffset? PeriodEnd(Stripe.Subscription reported) =>
        reported.Items?.Data?.FirstOrDefault() is { CurrentPeriodEnd: var end } && end != default
            ? new DateTimeOffset(DateTime.SpecifyKind(end, DateTimeKind.Utc))
            : null;
}
