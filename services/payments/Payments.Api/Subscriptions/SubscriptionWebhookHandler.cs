using System.Text.Json;
using Community.Payments.Webhooks;

namespace Community.Payments.Subscriptions;

/// <summary>
/// Stripe's word on a subscription after checkout: renewals move current_period_end, failed
/// renewals change the status, a cancellation scheduled elsewhere (the dashboard) sets
/// cancel_at_period_end, and deleted ends it. Events about a subscription we no longer hold
/// (one replaced by a newer purchase) change nothing.
/// </summary>
public sealed class SubscriptionWebhookHandler(SubscriptionBook book, ILogger<SubscriptionWebhookHandler> logger) : IWebhookHandler
{
    public IReadOnlyCollection<string> EventTypes { get; } = ["customer.subscription.updated", "customer.subscription.deleted"];

    public async Task HandleAsync(StripeEvent e, CancellationToken cancellationToken)
    {
        var subscription = await FindAsync(e, cancellationToken);
        if (subscription is null)
        {
            logger.LogWarning("Stripe event {EventId} ({Type}) names no subscription we hold; ignored", e.Id, e.Type);
            return;
        }

        if (e.Type == "customer.subscription.deleted")
        {
            await book.ChangeAsync(subscription, s =>
            {
                s.Status = SubscriptionStatus.Canceled;
                s.CancelAtPeriodEnd = false;
            }, cancellationToken);
            return;
        }

        // A deleted subscription never comes back; an update that reached us after it is stale.
        if (subscription.Status == SubscriptionStatus.Canceled) return;
        var status = e.String("status");
        if (status is null || !SubscriptionStatus.FromProvider.Contains(status))
        {
            logger.LogWarning("Stripe event {EventId} has subscription status {Status}, which we do not know; ignored", e.Id, status);
            return;
        }
        var periodEnd = PeriodEnd(e);
        // Periods only move forward: an update about an earlier period arrived out of order.
        if (periodEnd is not null && subscription.CurrentPeriodEnd is { } known && periodEnd < known) return;
        await book.ChangeAsync(subscription, s =>
        {
            s.Status = status;
            s.CurrentPeriodEnd = periodEnd ?? s.CurrentPeriodEnd;
            s.CancelAtPeriodEnd = e.Bool("cancel_at_period_end") ?? s.CancelAtPeriodEnd;
        }, cancellationToken);
    }

    private async Task<Subscription?> FindAsync(StripeEvent e, CancellationToken cancellationToken)
    {
        if (e.String("id") is not { } providerId) return null;
        if (await book.LockByProviderIdAsync(providerId, cancellationToken) is { } known) return known;
        // A subscription created with our metadata but whose id we never learned from the checkout.
        return Guid.TryParse(e.Metadata("user_id"), out var userId)
            && await book.LockAsync(userId, cancellationToken) is { ProviderSubscriptionId: null } unnamed
                ? Adopt(unnamed, providerId)
                : null;
    }

    private static Subscription Adopt(Subscription subscription, string providerId)
    {
        subscription.ProviderSubscriptionId = providerId;
        return subscription;
    }

    /// <summary>current_period_end (unix seconds): on the subscription, or on its first item in newer API versions.</summary>
    private static DateTimeOffset? PeriodEnd(StripeEvent e)
    {
        if (e.Long("current_period_end") is { } seconds) return DateTimeOffset.FromUnixTimeSeconds(seconds);
        return e.Object.TryGetProperty("items", out var items) && items.ValueKind == JsonValueKind.Object
            && items.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Array && data.GetArrayLength() > 0
            && data[0].TryGetProperty("current_period_end", out var end) && end.ValueKind == JsonValueKind.Number && end.TryGetInt64(out var itemSeconds)
                ? DateTimeOffset.FromUnixTimeSeconds(itemSeconds)
                : null;
    }
}
