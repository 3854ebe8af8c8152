using Community.Contracts.Payments;
using Community.Payments.Data;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace Community.Payments.Refunds;

/// <summary>
/// Makes one requested refund, of at most what is left. Not an inbox consumer: the provider must
/// be asked outside any transaction, and the refund id (the provider's idempotency key) already
/// makes a redelivered message replay the recorded refund, or resume one left requested, instead
/// of refunding twice. A provider that does not answer throws, so the message is retried (then
/// dead-lettered, and <see cref="RefundIntentRecovery"/> finishes the intent).
/// </summary>
public sealed class PaymentRefundRequestedConsumer(
    PaymentsDbContext db,
    Refunder refunder,
    ILogger<PaymentRefundRequestedConsumer> logger
) : IConsumer<PaymentRefundRequested>
{
    public async Task Consume(ConsumeContext<PaymentRefundRequested> context)
    {
        var m = context.Message;
        var payment = await db
            .Payments.AsNoTracking()
            .FirstOrDefaultAsync(p => p.Id == m.PaymentId, context.CancellationToken);
        var done = await db.Refunds.AsNoTracking().AnyAsync(r => r.Id == m.RefundId, context.CancellationToken);
        if (payment is null || (payment.RefundableCents == 0 && !done))
        {
            // Refunded meanwhile by someone else: nothing is owed any more.
            logger.LogWarning(
                "Requested refund {RefundId} of payment {PaymentId} was not made: nothing is left to refund",
                m.RefundId,
                m.PaymentId
            );
            return;
        }
        var amount =
            m.AmountCents is { } wanted && payment.RefundableCents > 0
                ? Math.Min(wanted, payment.RefundableCents)
                : m.AmountCents;
        var refund = await refunder.RefundAsync(
            m.PaymentId,
            amount,
            m.Reason,
            m.RequestedBy,
            m.RefundId,
            context.CancellationToken
        );
        logger.LogInformation(
            "Requested refund {RefundId} of payment {PaymentId}: {Status}",
            refund.Id,
            m.PaymentId,
            refund.Status
        );
    }
}
