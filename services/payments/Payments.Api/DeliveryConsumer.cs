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
}
