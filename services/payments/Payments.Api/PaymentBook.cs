using Community.ServiceDefaults.Api;

namespace Community.Payments;

/// <summary>
/// A payment's state changes, each publishing its integration event once. Transitions only move
/// forward (money captured beats a failure or an expiry reported out of order; a refund total only
/// grows, except by a refund that failed, once; a chargeback counts in it once per dispute), so
/// Stripe's events may arrive in any order and any number of times.
/// </summary>
public sealed class PaymentBook(PaymentsDbContext db, TimeProvider clock, ILogger<PaymentBook> logger)
{
    /// <summary>The payment row, locked for the rest of the current transaction.</summary>
    public async Task<Payment?> LockAsync(Guid paymentId, CancellationToken cancellationToken) =>
        (
            await db
                .Payments.FromSql($"SELECT * FROM payments WHERE id = {paymentId} FOR UPDATE")
                .ToListAsync(cancellationToken)
        ).SingleOrDefault();

    public async Task<Payment?> LockBySessionAsync(string sessionId, CancellationToken cancellationToken) =>
        (
            await db
                .Payments.FromSql($"SELECT * FROM payments WHERE session_id = {sessionId} FOR UPDATE")
                .ToListAsync(cancellationToken)
        ).SingleOrDefault();

    public async Task<Payment?> LockByIntentAsync(string paymentIntentId, CancellationToken cancellationToken) =>
        (
            await db
                .Payments.FromSql($"SELECT * FROM payments WHERE payment_intent_id = {paymentIntentId} FOR UPDATE")
                .ToListAsync(cancellationToken)
        ).FirstOrDefault();

    /// <summary>
    /// The checkout payment that created the provider's subscription <paramref name="providerSubscriptionId"/>, locked.
    /// </summary>
    public async Task<Payment?> LockBySubscriptionAsync(
        string providerSubscriptionId,
        CancellationToken cancellationToken
    ) =>
        (
            await db
                .Payments.FromSql(
                    $"""
                    SELECT * FROM payments
                    WHERE provider_subscription_id = {providerSubscriptionId} AND purpose = 'subscription'
                    ORDER BY created_at LIMIT 1 FOR UPDATE
                    """
                )
                .ToListAsync(cancellationToken)
        ).SingleOrDefault();

    /// <summary>
    /// Money was captured, as the provider reported at <paramref name="reportedAt"/> (its event's time): what
    /// PaymentSucceeded says it occurred at, so a report handled late (the provider's retries after an outage here)
    /// is judged as of the payment (an event's end, a confirmed address), not as of its handling.
    /// </summary>
    public void Capture(Payment payment, string? paymentIntentId, DateTimeOffset? reportedAt = null)
    {
        // Kept even when already settled (a refund reported first settles without it): refunds go through the intent.
        payment.PaymentIntentId ??= paymentIntentId;
        if (payment.IsSettled)
            return;
        var now = clock.GetUtcNow();
        if (payment.Status != PaymentStatus.Pending)
            logger.LogWarning(
                "Payment {PaymentId} was {Status} but its money was captured; settling it",
                payment.Id,
                payment.Status
            );
        payment.Status = PaymentStatus.Succeeded;
        payment.SucceededAt = now;
        payment.CapturedAt =
            reportedAt is { } reported && reported > DateTimeOffset.UnixEpoch && reported < now ? reported : now;
        payment.UpdatedAt = now;
        payment.FailureReason = null;
        db.AddIntegrationEvent(
            new PaymentSucceeded(
                Guid.CreateVersion7(),
                payment.CapturedAt.Value,
                payment.Id,
                payment.UserId,
                payment.Purpose,
                payment.ReferenceId,
                payment.AmountCents,
                payment.Currency
            )
        );
    }

    /// <summary>
    /// An attempt was declined. Checkout lets the buyer try again (another card) in the same session,
    /// so the payment stays pending and keeps its open-checkout slot; only the last decline is kept.
    /// </summary>
    public void RecordDecline(Payment payment, string reason)
    {
        if (payment.Status != PaymentStatus.Pending)
            return;
        payment.FailureReason = reason;
        payment.UpdatedAt = clock.GetUtcNow();
    }

    /// <summary>The checkout ended without money: failed (a delayed method's payment failed) or expired.</summary>
    public void End(Payment payment, string status, string reason)
    {
        if (payment.Status != PaymentStatus.Pending)
            return;
        var now = clock.GetUtcNow();
        payment.Status = status;
        payment.FailureReason = reason;
        payment.UpdatedAt = now;
        db.AddIntegrationEvent(
            new PaymentFailed(
                Guid.CreateVersion7(),
                now,
                payment.Id,
                payment.UserId,
                payment.Purpose,
                payment.ReferenceId,
                reason
            )
        );
    }

    /// <summary>
    /// The provider reports <paramref name="totalRefundedCents"/> refunded so far; records what is new.
    /// </summary>
    public void RecordRefundTotal(Payment payment, long totalRefundedCents)
    {
        if (!payment.IsSettled)
            Capture(payment, null);
        var total = Math.Min(totalRefundedCents, payment.AmountCents);
        if (total <= payment.RefundedCents)
            return;
        // The total's stamp orders it: events keeps the one with the newest. So it comes after the payment's last
        // change (read under its lock), whatever this instance's clock says against the one that made that change.
        var read = UtcTimestamps.AsStored(clock.GetUtcNow());
        var now = read > payment.UpdatedAt ? read : payment.UpdatedAt.AddTicks(10);
        var delta = total - payment.RefundedCents;
        payment.RefundedCents = total;
        payment.Status = total == payment.AmountCents ? PaymentStatus.Refunded : PaymentStatus.PartiallyRefunded;
        payment.UpdatedAt = now;
        db.AddIntegrationEvent(
            new PaymentRefunded(
                Guid.CreateVersion7(),
                now,
                payment.Id,
                payment.UserId,
                payment.ReferenceId,
                delta,
                total,
                payment.Currency
            )
        );
    }

    /// <summary>
    /// The provider answered a requested refund (Refunder's call, or a refund webhook that came
    /// first): it becomes pending, succeeded or failed, once. Pending and succeeded count in the
    /// total at once; a failed one counts nothing and PaymentRefundFailed tells someone.
    /// </summary>
    public async Task RecordRefundAnswerAsync(
        Payment payment,
        Refund refund,
        string status,
        string? providerRefundId,
        string? failureReason,
        CancellationToken cancellationToken
    )
    {
        if (refund.Status != RefundStatus.Requested)
            return;
        var now = clock.GetUtcNow();
        refund.ProviderRefundId ??= providerRefundId;
        refund.Status = status;
        if (status != RefundStatus.Pending)
            refund.CompletedAt = now;
        if (status != RefundStatus.Failed)
        {
            RecordRefundTotal(payment, payment.RefundedCents + refund.AmountCents);
            return;
        }
        // Nothing was counted, so nothing is given back; but someone must hear of it (an automatic refund has no caller
        // to tell).
        refund.FailureReason = failureReason ?? "failed";
        db.AddIntegrationEvent(
            new PaymentRefundFailed(
                Guid.CreateVersion7(),
                now,
                payment.Id,
                payment.UserId,
                refund.Id,
                refund.AmountCents,
                payment.Currency,
                refund.FailureReason
            )
        );
        // Stripe's last report was counted without it: what it reported besides (a refund from the dashboard made
        // meanwhile, perhaps why this one failed) counts now.
        await RecountReportedRefundTotalAsync(payment, refund, cancellationToken);
    }

    /// <summary>
    /// Stripe's amount_refunded as of <paramref name="reportedAt"/> (its event's creation) less our requested refunds
    /// (counted when answered) and our failed ones Stripe made that failed at or after that moment (a stale report
    /// still counts them, and must never count a failed refund again), so a report errs low, never high. One that
    /// failed before the report is out of Stripe's total already: a refund made afterwards from Stripe's dashboard
    /// counts in full, as it does after a failed refund Stripe never had (no provider id: its intent never known, or
    /// Stripe refused to make it). Plus what chargebacks took, which Stripe counts apart.
    /// </summary>
    public async Task RecordReportedRefundTotalAsync(
        Payment payment,
        long amountRefunded,
        DateTimeOffset reportedAt,
        CancellationToken cancellationToken
    )
    {
        // The newest report is kept, to be counted again when a refund of ours it was read without fails or goes.
        if (payment.RefundReportedAt is not { } kept || reportedAt >= kept)
        {
            payment.ReportedRefundedCents = amountRefunded;
            payment.RefundReportedAt = reportedAt;
        }
        await CountReportedAsync(payment, amountRefunded, reportedAt, null, cancellationToken);
    }

    /// <summary>
    /// Counts Stripe's newest report again (<see cref="RecordReportedRefundTotalAsync"/>) once
    /// <paramref name="changed"/>, a refund of ours that report was read without while it was requested, failed (its
    /// new state not yet saved) or was given up (deleted: null). Without it, a refund made from Stripe's dashboard
    /// meanwhile would never count.
    /// </summary>
    public Task RecountReportedRefundTotalAsync(
        Payment payment,
        Refund? changed,
        CancellationToken cancellationToken
    ) =>
        payment is { ReportedRefundedCents: { } amount, RefundReportedAt: { } at }
            ? CountReportedAsync(payment, amount, at, changed, cancellationToken)
            : Task.CompletedTask;

    private async Task CountReportedAsync(
        Payment payment,
        long amountRefunded,
        DateTimeOffset reportedAt,
        Refund? changed,
        CancellationToken cancellationToken
    )
    {
        var notCounted = NotCountedIn(reportedAt);
        var except = changed?.Id ?? Guid.Empty;
        var others = await db
            .Refunds.Where(r => r.PaymentId == payment.Id && r.Id != except)
            .Where(notCounted)
            .SumAsync(r => r.AmountCents, cancellationToken);
        var own = changed is not null && notCounted.Compile()(changed) ? changed.AmountCents : 0;
        RecordRefundTotal(payment, amountRefunded - others - own + await ChargedBackAsync(payment, cancellationToken));
    }

    /// <summary>
    /// Our refunds a report of Stripe's at <paramref name="reportedAt"/> must not count: those still requested (counted
    /// when answered) and the failed ones Stripe made that failed at or after it (see
    /// <see cref="RecordReportedRefundTotalAsync"/>).
    /// </summary>
    private static System.Linq.Expressions.Expression<Func<Refund, bool>> NotCountedIn(DateTimeOffset reportedAt) =>
        r =>
            r.Status == RefundStatus.Requested
            || (
                r.Status == RefundStatus.Failed
                && r.ProviderRefundId != null
                && (r.CompletedAt == null || r.CompletedAt >= reportedAt)
            );

    /// <summary>What chargebacks took of the payment in all.</summary>
    private Task<long> ChargedBackAsync(Payment payment, CancellationToken cancellationToken) =>
        db
            .Database.SqlQuery<long>(
                $"""
                SELECT coalesce(sum(amount_cents), 0)::bigint AS "Value" FROM chargebacks
                WHERE payment_id = {payment.Id}
                """
            )
            .SingleAsync(cancellationToken);

    /// <summary>
    /// The provider took <paramref name="amountCents"/> of the payment back for dispute <paramref name="disputeId"/> (a
    /// chargeback): it counts as refunded on top of what was, capped at what was paid, once per dispute however often
    /// and under whichever event id it is reported (its row in chargebacks). Returns whether it was new.
    /// </summary>
    public async Task<bool> RecordChargebackAsync(
        Payment payment,
        string disputeId,
        long amountCents,
        CancellationToken cancellationToken
    )
    {
        var first = await db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO chargebacks (dispute_id, payment_id, amount_cents, withdrawn_at)
            VALUES ({disputeId}, {payment.Id}, {amountCents}, {clock.GetUtcNow()})
            ON CONFLICT DO NOTHING
            """,
            cancellationToken
        );
        if (first == 0)
            return false;
        RecordRefundTotal(payment, payment.RefundedCents + amountCents);
        return true;
    }

    /// <summary>
    /// The provider gave the money of dispute <paramref name="disputeId"/> back. What its withdrawal counted stays
    /// counted (its take-backs are done); returns whether a counted withdrawal is marked returned now.
    /// </summary>
    public async Task<bool> RecordChargebackReinstatedAsync(
        Payment payment,
        string disputeId,
        CancellationToken cancellationToken
    ) =>
        await db.Database.ExecuteSqlAsync(
            $"""
            UPDATE chargebacks SET reinstated_at = {clock.GetUtcNow()}
            WHERE dispute_id = {disputeId} AND payment_id = {payment.Id} AND reinstated_at IS NULL
            """,
            cancellationToken
        ) > 0;

    /// <summary>
    /// A refund counted in the total failed after all (Stripe can fail one it reported succeeded):
    /// the money stayed, so the payment is refundable again by that amount. What PaymentRefunded
    /// caused downstream stands (a cancelled ticket stays cancelled); PaymentRefundFailed tells
    /// someone to reach the payer. Call once per refund, on its move to failed. What chargebacks took stays counted:
    /// a refund the cap left out of the total (a dispute of the whole charge after it) gives nothing back.
    /// </summary>
    public async Task RefundFailedAsync(
        Payment payment,
        Refund refund,
        string reason,
        CancellationToken cancellationToken
    )
    {
        var now = clock.GetUtcNow();
        payment.RefundedCents = Math.Max(
            payment.RefundedCents - refund.AmountCents,
            Math.Min(payment.AmountCents, await ChargedBackAsync(payment, cancellationToken))
        );
        payment.Status =
            payment.RefundedCents == 0 ? PaymentStatus.Succeeded
            : payment.RefundedCents >= payment.AmountCents ? PaymentStatus.Refunded
            : PaymentStatus.PartiallyRefunded;
        payment.UpdatedAt = now;
        db.AddIntegrationEvent(
            new PaymentRefundFailed(
                Guid.CreateVersion7(),
                now,
                payment.Id,
                payment.UserId,
                refund.Id,
                refund.AmountCents,
                payment.Currency,
                reason
            )
        );
    }
}
