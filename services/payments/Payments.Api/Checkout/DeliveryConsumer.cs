using Community.Contracts.Payments;
using Community.Payments.Data;
using Community.ServiceDefaults.Messaging;
using MassTransit;

namespace Community.Payments.Checkout;

/// <summary>
/// Base of the consumers that deliver what a payment of their purpose bought (our own
/// PaymentSucceeded, back from the bus). The payment row is locked first, as
/// <see cref="Refunds.FullRefundConsumer"/> locks it, so delivering and taking back one payment
/// never interleave: a purchase refunded in full before it was delivered is not delivered.
/// Nothing outside is called under that lock: a provider call is published (outbox) and made after the commit.
/// </summary>
public abstract class DeliveryConsumer(PaymentsDbContext db, PaymentBook payments, ILogger logger)
    : IdempotentConsumer<PaymentSucceeded, PaymentsDbContext>(db, logger)
{
    /// <summary>The purpose whose payments this consumer delivers.</summary>
    protected abstract string Purpose { get; }

    protected sealed override async Task HandleAsync(
        ConsumeContext<PaymentSucceeded> context,
        CancellationToken cancellationToken
    )
    {
        var m = context.Message;
        if (m.Purpose != Purpose)
            return;
        var payment =
            await payments.LockAsync(m.PaymentId, cancellationToken)
            ?? throw new InvalidOperationException(
                $"Payment {m.PaymentId} of a PaymentSucceeded is not in the database."
            );
        if (payment.Status == PaymentStatus.Refunded)
            return;
        await DeliverAsync(payment, m, cancellationToken);
    }

    /// <summary>Delivers what <paramref name="payment"/> (locked, paid) bought; changes on Db are saved with the inbox row.</summary>
    protected abstract Task DeliverAsync(
        Payment payment,
        PaymentSucceeded message,
        CancellationToken cancellationToken
    );
}
