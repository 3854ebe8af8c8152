using MassTransit;

namespace Community.Payments;

/// <summary>
/// Base of the consumers that take back what a payment refunded in full bought. The payment row is locked first, as
/// <see cref="DeliveryConsumer"/> locks it, so whichever of the two runs second sees what the first did.
/// </summary>
public abstract class FullRefundConsumer(PaymentsDbContext db, PaymentBook payments, ILogger logger)
    : IdempotentConsumer<PaymentRefunded, PaymentsDbContext>(db, logger)
{
    /// <summary>The purpose whose payments this consumer takes back; null: every purpose.</summary>
    protected abstract string? Purpose { get; }

    protected sealed override async Task HandleAsync(
        ConsumeContext<PaymentRefunded> context,
        CancellationToken cancellationToken
    )
    {
        var m = context.Message;
        var payment = await payments.LockAsync(m.PaymentId, cancellationToken);
        if (
            payment is null
            || m.TotalRefundedCents < payment.AmountCents
            || (Purpose is { } purpose && payment.Purpose != purpose)
        )
            return;
        await TakeBackAsync(payment, cancellationToken);
    }

    /// <summary>
    /// Takes back what <paramref name="payment"/> (locked, refunded in full) bought; changes on Db are saved with the
    /// inbox row.
    /// </summary>
    protected abstract Task TakeBackAsync(Payment payment, CancellationToken cancellationToken);
}
