using Community.Contracts.Payments;
using Community.Payments.Checkout;
using Community.Payments.Data;
using Community.ServiceDefaults.Messaging;
using MassTransit;

namespace Community.Payments.Refunds;

/// <summary>
/// Base of the consumers that take back what a payment bought once it is refunded in full (a partial
/// refund is a goodwill gesture and takes nothing back). The payment row is locked first, as the
/// consumers that deliver the purchase lock it, so delivering and taking back one payment never
/// interleave: whichever runs second sees what the first did. Nothing outside is called under that
/// lock: a provider call is published (outbox) and made after the commit.
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

    /// <summary>Takes back what <paramref name="payment"/> (locked, refunded in full) bought; changes on Db are saved with the inbox row.</summary>
    protected abstract Task TakeBackAsync(Payment payment, CancellationToken cancellationToken);
}
