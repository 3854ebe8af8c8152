using MassTransit;

namespace Community.Payments.Refunds;

/// <summary>
/// Makes one requested refund, of at most what is left. Not an inbox consumer: the provider is asked outside any
/// transaction, and the refund id (its idempotency key) makes a redelivery replay or resume, never refund twice.
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
        Refund refund;
        try
        {
            refund = await refunder.RefundAsync(
                m.PaymentId,
                amount,
                m.Reason,
                m.RequestedBy,
                m.RefundId,
                context.CancellationToken,
                automatic: true
            );
        }
        catch (BusinessRuleException)
        {
            if (!await OthersInFlightAsync(m, context.CancellationToken))
                throw;
            // More than is free only while another refund is being answered (an organizer's partial refund, then
            // the holder cancels): once it is, what is left fits, so this is asked again, not dropped.
            throw new ConflictException(
                $"Refund {m.RefundId} waits for another refund of payment {m.PaymentId} to be answered."
            )
            {
                RetryAfter = TimeSpan.FromSeconds(5),
            };
        }
        logger.LogInformation(
            "Requested refund {RefundId} of payment {PaymentId}: {Status}",
            refund.Id,
            m.PaymentId,
            refund.Status
        );
    }

    private Task<bool> OthersInFlightAsync(PaymentRefundRequested m, CancellationToken cancellationToken) =>
        db.Refunds.AnyAsync(
            r => r.PaymentId == m.PaymentId && r.Id != m.RefundId && r.Status == RefundStatus.Requested,
            cancellationToken
        );
}
