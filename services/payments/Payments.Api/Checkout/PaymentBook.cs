using Community.Contracts.Payments;
using Community.Payments.Data;
using Community.ServiceDefaults.Messaging;
using Microsoft.EntityFrameworkCore;

namespace Community.Payments.Checkout;

/// <summary>
/// A payment's state changes, each publishing its integration event once. Transitions only move
/// forward (money captured beats a failure or an expiry reported out of order; a refund total only
/// grows), so Stripe's events may arrive in any order and any number of times.
/// </summary>
public sealed class PaymentBook(PaymentsDbContext db, TimeProvider clock, ILogger<PaymentBook> logger)
{
    /// <summary>The payment row, locked for the rest of the current transaction.</summary>
    public async Task<Payment?> LockAsync(Guid paymentId, CancellationToken cancellationToken) =>
        (await db.Payments.FromSql($"SELECT * FROM payments WHERE id = {paymentId} FOR UPDATE").ToListAsync(cancellationToken)).SingleOrDefault();

    public async Task<Payment?> LockBySessionAsync(string sessionId, CancellationToken cancellationToken) =>
        (await db.Payments.FromSql($"SELECT * FROM payments WHERE session_id = {sessionId} FOR UPDATE").ToListAsync(cancellationToken)).SingleOrDefault();

    public async Task<Payment?> LockByIntentAsync(string paymentIntentId, CancellationToken cancellationToken) =>
        (await db.Payments.FromSql($"SELECT * FROM payments WHERE payment_intent_id = {paymentIntentId} FOR UPDATE").ToListAsync(cancellationToken)).FirstOrDefault();

    /// <summary>Money was captured.</summary>
    public void Capture(Payment payment, string? paymentIntentId)
    {
        // Kept even when already settled (a refund reported first settles without it): refunds go through the intent.
        payment.PaymentIntentId ??= paymentIntentId;
        if (payment.IsSettled) return;
        var now = clock.GetUtcNow();
        if (payment.Status != PaymentStatus.Pending)
            logger.LogWarning("Payment {PaymentId} was {Status} but its money was captured; settling it", payment.Id, payment.Status);
        payment.Status = PaymentStatus.Succeeded;
        payment.SucceededAt = now;
        payment.UpdatedAt = now;
        payment.FailureReason = null;
        db.AddIntegrationEvent(new PaymentSucceeded(Guid.NewGuid(), now, payment.Id, payment.UserId, payment.Purpose, payment.ReferenceId,
            payment.AmountCents, payment.Currency));
    }

    /// <summary>The checkout ended without money: failed (declined...) or expired.</summary>
    public void End(Payment payment, string status, string reason)
    {
        if (payment.Status != PaymentStatus.Pending) return;
        var now = clock.GetUtcNow();
        payment.Status = status;
        payment.FailureReason = reason;
        payment.UpdatedAt = now;
        db.AddIntegrationEvent(new PaymentFailed(Guid.NewGuid(), now, payment.Id, payment.UserId, payment.Purpose, payment.ReferenceId, reason));
    }

    /// <summary>The provider reports <paramref name="totalRefundedCents"/> refunded so far; records what is new.</summary>
    public void RecordRefundTotal(Payment payment, long totalRefundedCents)
    {
        if (!payment.IsSettled) Capture(payment, null);
        var total = Math.Min(totalRefundedCents, payment.AmountCents);
        if (total <= payment.RefundedCents) return;
        var now = clock.GetUtcNow();
        var delta = total - payment.RefundedCents;
        payment.RefundedCents = total;
        payment.Status = total == payment.AmountCents ? PaymentStatus.Refunded : PaymentStatus.PartiallyRefunded;
        payment.UpdatedAt = now;
        db.AddIntegrationEvent(new PaymentRefunded(Guid.NewGuid(), now, payment.Id, payment.UserId, payment.ReferenceId, delta, total, payment.Currency));
    }
}
