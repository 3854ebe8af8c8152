using Community.Contracts.Payments;
using Community.Payments.Data;
using Community.Payments.Providers;
using Community.ServiceDefaults.Messaging;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Community.Payments.Subscriptions;

/// <summary>
/// A subscription checkout was paid: the plan bought (the payment's product) becomes the user's
/// tier for one billing period from the payment, replacing any earlier subscription.
/// </summary>
public sealed class SubscriptionPaymentConsumer(
    PaymentsDbContext db, SubscriptionBook book, IPaymentProvider provider, IOptions<PaymentsOptions> options,
    ILogger<SubscriptionPaymentConsumer> logger)
    : IdempotentConsumer<PaymentSucceeded, PaymentsDbContext>(db, logger)
{
    protected override async Task HandleAsync(ConsumeContext<PaymentSucceeded> context, CancellationToken cancellationToken)
    {
        var m = context.Message;
        if (m.Purpose != Purposes.Subscription) return;
        var payment = await Db.Payments.AsNoTracking().FirstOrDefaultAsync(p => p.Id == m.PaymentId, cancellationToken)
            ?? throw new InvalidOperationException($"Payment {m.PaymentId} of a PaymentSucceeded is not in the database.");
        if (payment.Product is not { } plan || !options.Value.Tiers.TryGetValue(plan, out var price))
            throw new InvalidOperationException($"Subscription payment {payment.Id} names no configured tier ('{payment.Product}').");

        var subscription = await book.LockAsync(payment.UserId, cancellationToken) ?? book.Add(payment.UserId, plan);
        if (subscription.LastPaymentId == payment.Id) return;
        var replaced = subscription.ProviderSubscriptionId is { } earlier && earlier != payment.ProviderSubscriptionId
            && subscription.Status != SubscriptionStatus.Canceled ? earlier : null;

        var paidAt = payment.SucceededAt ?? m.OccurredAt;
        book.Change(subscription, s =>
        {
            s.Plan = plan.ToLowerInvariant();
            s.Status = SubscriptionStatus.Active;
            s.ProviderSubscriptionId = payment.ProviderSubscriptionId;
            s.LastPaymentId = payment.Id;
            s.CurrentPeriodEnd = paidAt + TimeSpan.FromDays(price.PeriodDays);
            s.CancelAtPeriodEnd = false;
        });

        // The new subscription supersedes the old one (an upgrade, a downgrade, a renewed cancellation): stop billing it.
        if (replaced is not null)
        {
            logger.LogInformation("Subscription {Old} of user {UserId} replaced by {New}; cancelling it at its period end",
                replaced, payment.UserId, payment.ProviderSubscriptionId);
            await provider.CancelSubscriptionAtPeriodEndAsync(replaced, cancellationToken);
        }
    }
}
