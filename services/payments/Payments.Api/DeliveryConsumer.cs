using Community.Payments.Refunds;
using Community.Payments.Subscriptions;
using Community.Payments.Users;
using MassTransit;

namespace Community.Payments;

/// <summary>
/// Base of the consumers that deliver what a payment of their purpose bought. The payment row is locked first, as
/// <see cref="FullRefundConsumer"/> locks it, so a purchase refunded in full before delivery is not delivered.
/// </summary>
public abstract class DeliveryConsumer(PaymentsDbContext db, PaymentBook payments, ILogger logger)
    : IdempotentConsumer<PaymentSucceeded, PaymentsDbContext>(db, logger)
{
    /// <summary>The purpose whose payments this consumer delivers.</summary>
    protected abstract string Purpose { get; }

    /// <summary>Payments of other purposes are other consumers' to deliver.</summary>
    protected sealed override bool Concerns(PaymentSucceeded message) => message.Purpose == Purpose;

    protected sealed override async Task HandleAsync(
        ConsumeContext<PaymentSucceeded> context,
        CancellationToken cancellationToken
    )
    {
        var m = context.Message;
        var payment =
            await payments.LockAsync(m.PaymentId, cancellationToken)
            ?? throw new InvalidOperationException(
                $"Payment {m.PaymentId} of a PaymentSucceeded is not in the database."
            );
        if (payment.Status == PaymentStatus.Refunded)
            return;
        if (await KnownUserRules.IsDeletedAsync(Db, payment.UserId, cancellationToken))
        {
            // Paid after the account was deleted (a checkout left open).
            RefundInstead(
                payment,
                "account-deleted",
                "account_deleted",
                context.GetServiceOrCreateInstance<TimeProvider>().GetUtcNow()
            );
            return;
        }
        await DeliverAsync(payment, m, cancellationToken);
    }

    /// <summary>
    /// Delivers what <paramref name="payment"/> (locked, paid) bought; changes on Db are saved with the inbox row.
    /// </summary>
    protected abstract Task DeliverAsync(
        Payment payment,
        PaymentSucceeded message,
        CancellationToken cancellationToken
    );

    /// <summary>
    /// Nothing is delivered: the money goes back (in full, once per <paramref name="cause"/> however often the payment
    /// is told), and a subscription the checkout started is stopped now; saved with the inbox row.
    /// </summary>
    protected void RefundInstead(Payment payment, string cause, string reason, DateTimeOffset now)
    {
        Db.AddIntegrationEvent(
            new PaymentRefundRequested(
                Guid.CreateVersion7(),
                now,
                RefundRules.DeterministicId(cause, payment.Id),
                payment.Id,
                null,
                reason,
                null
            )
        );
        if (payment.ProviderSubscriptionId is { } subscriptionId)
            SubscriptionCanceller.Request(Db, payment.UserId, subscriptionId, atPeriodEnd: false, null, now);
    }
}
