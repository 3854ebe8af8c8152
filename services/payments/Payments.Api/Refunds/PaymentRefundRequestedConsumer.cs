using MassTransit;

namespace Community.Payments.Refunds;

/// <summary>
/// Makes one requested refund, of at most what is left. Not an inbox consumer: the provider is asked outside any
/// transaction, and the refund id (its idempotency key) makes a redelivery replay or resume, never refund twice. A
/// refund the provider cannot make yet (a subscription's payment intent comes with its first invoice.paid, which may
/// come later) stays requested, the message done: <see cref="RefundIntentRecovery"/> makes it when the intent is known.
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
        if (payment is null)
        {
            logger.LogWarning(
                "Requested refund {RefundId} of payment {PaymentId} was not made: no such payment",
                m.RefundId,
                m.PaymentId
            );
            return;
        }
        if (payment.RefundableCents == 0 && !done)
        {
            // Refunded meanwhile by someone else (a duplicate request, the organizer, the dashboard): nothing is owed
            // any more, and nothing for an operator to do.
            logger.LogInformation(
                "Requested refund {RefundId} of payment {PaymentId} was not made: nothing is left to refund",
                m.RefundId,
                m.PaymentId
            );
            return;
        }
        Refund? refund;
        try
        {
            refund = await RefundAsync(m, context.CancellationToken);
        }
        catch (ConflictException) when (string.IsNullOrEmpty(payment.PaymentIntentId))
        {
            // A subscription's payment whose intent its first invoice.paid has not brought yet: the refund is kept
            // requested, its amount spoken for, and RefundIntentRecovery makes it once the intent is known. Retrying
            // the message would only end in the _error queue. Anything else refused stays this message's.
            var kept = await db
                .Refunds.AsNoTracking()
                .AnyAsync(r => r.Id == m.RefundId && r.Status == RefundStatus.Requested, context.CancellationToken);
            if (!kept)
                throw;
            logger.LogInformation(
                "Requested refund {RefundId} of payment {PaymentId} waits for the payment's intent; the recovery makes "
                    + "it once the first invoice.paid brings it",
                m.RefundId,
                m.PaymentId
            );
            return;
        }
        catch (DomainException exception) when (!done && exception is BusinessRuleException or ConflictException)
        {
            // More than is free (422), or nothing free at all (409), only while other refunds of the payment wait for
            // Stripe's answer (an organizer's refund whose answer was lost, then the holder cancels): they are asked
            // again now, under their own keys, rather than after the recovery's minutes, and this one then takes what
            // is left.
            var waiting = await db
                .Refunds.AsNoTracking()
                .Where(r => r.PaymentId == m.PaymentId && r.Id != m.RefundId && r.Status == RefundStatus.Requested)
                .Select(r => r.Id)
                .ToListAsync(context.CancellationToken);
            if (waiting.Count == 0)
                throw;
            foreach (var other in waiting)
                await refunder.ResumeAsync(other, context.CancellationToken);
            refund = await RefundAsync(m, context.CancellationToken);
        }
        if (refund is null)
        {
            // What was owed is refunded by the refunds committed before this one's (an organizer's, the dashboard's,
            // those it waited for): this request was a duplicate of those.
            logger.LogInformation(
                "Requested refund {RefundId} of payment {PaymentId} was not made: other refunds took the rest",
                m.RefundId,
                m.PaymentId
            );
            return;
        }
        logger.LogInformation(
            "Requested refund {RefundId} of payment {PaymentId}: {Status}",
            refund.Id,
            m.PaymentId,
            refund.Status
        );
    }

    /// <summary>
    /// The refund asked for, of at most what is left of the payment when its intent is recorded (under the payment's
    /// lock: a refund committed after the read above takes its share); null when nothing is left.
    /// </summary>
    private Task<Refund?> RefundAsync(PaymentRefundRequested m, CancellationToken cancellationToken) =>
        refunder.RefundWhatIsLeftAsync(
            m.PaymentId,
            m.AmountCents,
            m.Reason,
            m.RequestedBy,
            m.RefundId,
            cancellationToken
        );
}
