using Community.Contracts.Payments;
using Community.Payments.Checkout;
using Community.Payments.Data;
using Community.Payments.Providers;
using Community.ServiceDefaults.Errors;
using Community.ServiceDefaults.Messaging;
using Microsoft.EntityFrameworkCore;

namespace Community.Payments.Refunds;

/// <summary>
/// Refunds part or all of a settled payment, never more than was paid. The payment row is locked,
/// the provider is asked with the refund's id as idempotency key, and the refund, the new total and
/// PaymentRefunded are saved together; a caller that retries with the same refund id refunds once.
/// The refund keeps the provider's answer: a pending one counts at once (as Stripe's own
/// amount_refunded does: the money is committed to go back and must not be refundable twice) and
/// settles or fails later by webhook (<see cref="Webhooks.RefundWebhookHandler"/>); one failed at
/// once is recorded and changes nothing else. Runs in the caller's transaction when there is one
/// (consumers), otherwise in its own.
/// </summary>
public sealed class Refunder(PaymentsDbContext db, PaymentBook book, IPaymentProvider provider, TimeProvider clock, ILogger<Refunder> logger)
{
    public const int MaxReasonLength = 500;

    public async Task<Refund> RefundAsync(
        Guid paymentId, long? amountCents, string reason, Guid? requestedBy, Guid refundId, CancellationToken cancellationToken)
    {
        var ownsTransaction = db.Database.CurrentTransaction is null;
        await using var transaction = ownsTransaction ? await db.Database.BeginTransactionAsync(cancellationToken) : null;

        var existing = await db.Refunds.FirstOrDefaultAsync(r => r.Id == refundId, cancellationToken);
        if (existing is not null) return existing;

        var payment = await book.LockAsync(paymentId, cancellationToken) ?? throw new NotFoundException("No payment has this id.");
        if (!payment.IsSettled) throw new BusinessRuleException($"The payment is {payment.Status}; only a settled payment can be refunded.");
        var amount = amountCents ?? payment.RefundableCents;
        if (amount <= 0 || amount > payment.RefundableCents)
            throw new BusinessRuleException(payment.RefundableCents == 0
                ? "The payment is already fully refunded."
                : $"amount_cents must be between 1 and {payment.RefundableCents}, what is left to refund.")
            {
                Extensions = new Dictionary<string, object?> { ["refundable_cents"] = payment.RefundableCents },
            };

        var now = clock.GetUtcNow();
        var refund = new Refund
        {
            Id = refundId, PaymentId = payment.Id, AmountCents = amount, Reason = reason, RequestedBy = requestedBy,
            Status = RefundStatus.Pending, CreatedAt = now,
        };
        db.Refunds.Add(refund);

        ProviderRefund result;
        try
        {
            result = await provider.RefundAsync(payment, amount, refund.Id, cancellationToken);
        }
        catch (HttpRequestException exception)
        {
            logger.LogWarning(exception, "The provider refused or failed refund {RefundId} of payment {PaymentId}", refund.Id, payment.Id);
            throw new ProviderUnavailableException("The payment provider could not refund now; nothing was refunded. Try again.");
        }
        catch (RefundNotSupportedException exception)
        {
            throw new BusinessRuleException(exception.Message);
        }
        refund.ProviderRefundId = result.RefundId;
        refund.Status = RefundStatus.FromProvider(result.Status);
        if (refund.Status != RefundStatus.Pending) refund.CompletedAt = now;
        if (refund.Status != RefundStatus.Failed) book.RecordRefundTotal(payment, payment.RefundedCents + amount);
        else
        {
            // Nothing was counted, so nothing is given back; but someone must hear of it (an automatic refund has no caller to tell).
            refund.FailureReason = result.FailureReason ?? result.Status;
            db.AddIntegrationEvent(new PaymentRefundFailed(
                Guid.NewGuid(), now, payment.Id, payment.UserId, refund.Id, amount, payment.Currency, refund.FailureReason));
        }

        await db.SaveChangesAsync(cancellationToken);
        if (transaction is not null) await transaction.CommitAsync(cancellationToken);
        if (refund.Status == RefundStatus.Failed)
            logger.LogWarning("The provider failed refund {RefundId} of {Amount} {Currency} on payment {PaymentId} at once; nothing was refunded ({Reason})",
                refund.Id, amount, payment.Currency, payment.Id, reason);
        else
            logger.LogInformation("Refund {RefundId} of {Amount} {Currency} on payment {PaymentId}: {Status} ({Reason})",
                refund.Id, amount, payment.Currency, payment.Id, refund.Status, reason);
        return refund;
    }

    /// <summary>A refund id that is the same every time the same cause asks (a message redelivered, a retried request).</summary>
    public static Guid DeterministicId(string cause, Guid paymentId) => StableIds.From($"{cause}|{paymentId}");
}

/// <summary>A refund's state, in the provider's terms reduced to three.</summary>
public static class RefundStatus
{
    public const string Pending = "pending";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";

    /// <summary>Stripe's refund status: a canceled refund never moves money; pending, requires_action (and anything newer) are under way.</summary>
    public static string FromProvider(string? status) => status switch
    {
        "succeeded" => Succeeded,
        "failed" or "canceled" => Failed,
        _ => Pending,
    };
}

/// <summary>
/// 422: the provider answered that it will not make this refund (recorded as failed; nothing was
/// refunded, the payment is as refundable as before). Not a 502: the provider did answer, and
/// retrying the same request replays the same recorded failure; a new attempt needs a new key.
/// </summary>
public sealed class RefundFailedException : DomainException
{
    public RefundFailedException(Refund refund)
        : base("The payment provider failed this refund at once; nothing was refunded and the payment can still be refunded.") =>
        Extensions = new Dictionary<string, object?> { ["refund_id"] = refund.Id, ["refund_status"] = refund.Status };

    public override int StatusCode => 422;
    public override string Title => "Refund failed";
}
