using Stripe;
using Refund = Community.Payments.Data.Refund;

namespace Community.Payments.Webhooks;

/// <summary>
/// What becomes of our refunds after the provider accepted them. A refund only moves forward:
/// pending to succeeded, pending or succeeded to failed (Stripe can fail one it reported
/// succeeded, e.g. the card was closed); a failure gives the payment its money back once. A refund made succeeded at
/// once (usual for cards) gets no refund.updated: refund.created is what answers one whose answer we lost.
/// </summary>
public sealed class RefundWebhookHandler(
    PaymentsDbContext db,
    PaymentBook book,
    TimeProvider clock,
    ILogger<RefundWebhookHandler> logger
) : IWebhookHandler
{
    public IReadOnlyCollection<string> EventTypes { get; } =
    ["refund.created", "refund.updated", "refund.failed", "charge.refund.updated"];

    public async Task HandleAsync(Event e, CancellationToken cancellationToken)
    {
        var found = await LockAsync(e, cancellationToken);
        if (found is null)
        {
            // Made in Stripe's dashboard (ours carry our refund id): charge.refunded counts those, and a failure of one
            // is not taken back here (its maker sees it there). Stripe reports each more than once (refund.created,
            // refund.updated and charge.refund.updated); nothing to do.
            if (e.Metadata("refund_id") is null)
                logger.LogInformation(
                    "Stripe event {EventId} ({Type}) is about refund {ProviderRefundId}, made in Stripe's dashboard; "
                        + "ignored",
                    e.Id,
                    e.Type,
                    e.ObjectId()
                );
            else
                logger.LogWarning(
                    "Stripe event {EventId} ({Type}) is about refund {ProviderRefundId}, not one of ours; ignored",
                    e.Id,
                    e.Type,
                    e.ObjectId()
                );
            return;
        }

        var (refund, payment) = found.Value;
        var reported = e.Data.Object as Stripe.Refund;
        refund.ProviderRefundId ??= reported?.Id;
        var status = e.Type == "refund.failed" ? RefundStatus.Failed : RefundStatus.FromProvider(reported?.Status);
        if (refund.Status == RefundStatus.Requested)
        {
            // The webhook overtook Refunder's own record of the answer: it is the answer.
            await book.RecordRefundAnswerAsync(
                payment,
                refund,
                status,
                reported?.Id,
                reported?.FailureReason ?? status,
                cancellationToken
            );
            return;
        }
        if (status == RefundStatus.Succeeded && refund.Status == RefundStatus.Pending)
        {
            refund.Status = RefundStatus.Succeeded;
            refund.CompletedAt = clock.GetUtcNow();
        }
        else if (status == RefundStatus.Failed && refund.Status != RefundStatus.Failed)
        {
            var reason = reported?.FailureReason ?? "failed";
            refund.Status = RefundStatus.Failed;
            refund.FailureReason = reason;
            refund.CompletedAt = clock.GetUtcNow();
            await book.RefundFailedAsync(payment, refund, reason, cancellationToken);
            logger.LogWarning(
                "Refund {RefundId} of {Amount} {Currency} on payment {PaymentId} failed ({Reason}); the payment "
                    + "is refundable again",
                refund.Id,
                refund.AmountCents,
                payment.Currency,
                payment.Id,
                reason
            );
        }
    }

    /// <summary>
    /// Our refund and its payment, the payment locked first: Refunder commits its refund row (as
    /// requested) before asking the provider, so an event about it always finds the row, and two
    /// events about one refund apply one after the other.
    /// </summary>
    private async Task<(Refund, Payment)?> LockAsync(Event e, CancellationToken cancellationToken)
    {
        var providerRefundId = e.ObjectId();
        Guid? refundId = Guid.TryParse(e.Metadata("refund_id"), out var id) ? id : null;
        var paymentId =
            e.PaymentId()
            ?? (await FindAsync(db.Refunds.AsNoTracking(), providerRefundId, refundId, cancellationToken))?.PaymentId;
        if (paymentId is null || await book.LockAsync(paymentId.Value, cancellationToken) is not { } payment)
            return null;
        var refund = await FindAsync(db.Refunds, providerRefundId, refundId, cancellationToken);
        return refund?.PaymentId == payment.Id ? (refund, payment) : null;
    }

    /// <summary>Our refund by Stripe's id, else by the refund_id we put in its metadata.</summary>
    private static async Task<Refund?> FindAsync(
        IQueryable<Refund> refunds,
        string? providerRefundId,
        Guid? refundId,
        CancellationToken cancellationToken
    ) =>
        (
            providerRefundId is null
                ? null
                : await refunds.FirstOrDefaultAsync(r => r.ProviderRefundId == providerRefundId, cancellationToken)
        ) ?? (refundId is null ? null : await refunds.FirstOrDefaultAsync(r => r.Id == refundId, cancellationToken));
}
