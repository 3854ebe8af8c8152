using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Community.Payments.Data;

public sealed class Payment
{
    public Guid Id { get; set; }
    public Guid UserId { get; set; }
    public string Purpose { get; set; } = "";
    public Guid ReferenceId { get; set; }

    /// <summary>
    /// What exactly was bought when the reference alone does not say (tier, boost days, credit pack).
    /// </summary>
    public string? Product { get; set; }
    public Guid? SellerUserId { get; set; }
    public long AmountCents { get; set; }
    public string Currency { get; set; } = "";
    public string Status { get; set; } = PaymentStatus.Pending;
    public string Provider { get; set; } = "";
    public string PaymentMethod { get; set; } = "card";
    public string? SessionId { get; set; }
    public string? CheckoutUrl { get; set; }
    public string? PaymentIntentId { get; set; }

    /// <summary>The provider's subscription a subscription checkout created; its later webhooks name it.</summary>
    public string? ProviderSubscriptionId { get; set; }

    /// <summary>
    /// The provider's customer the checkout made (every subscription checkout makes one): deleted there with the
    /// account.
    /// </summary>
    public string? ProviderCustomerId { get; set; }

    /// <summary>
    /// A subscription checkout's billing period in days, as sold (the provider's price was made with it): what its
    /// delivery gives, whatever the tiers' configuration says by then. Null for anything else, and for older rows.
    /// </summary>
    public int? PeriodDays { get; set; }
    public string SuccessUrl { get; set; } = "";
    public string CancelUrl { get; set; } = "";
    public long RefundedCents { get; set; }
    public string? FailureReason { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }

    /// <summary>
    /// The end its checkout session was asked for, fitted to the provider's window at the first attempt: every retry
    /// under the payment's idempotency key asks it again, since the window moves with the clock and Stripe refuses a
    /// key reused with other parameters. Null for payments from before it was kept, until their next attempt.
    /// </summary>
    public DateTimeOffset? AskedExpiresAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>When it was recorded here as paid (what the "being confirmed" windows read).</summary>
    public DateTimeOffset? SucceededAt { get; set; }

    /// <summary>
    /// When the provider captured the money (its event's time, never later than <see cref="SucceededAt"/>): what a
    /// member's purchases are ordered by, whenever their webhooks were handled.
    /// </summary>
    public DateTimeOffset? CapturedAt { get; set; }

    /// <summary>
    /// Stripe's amount_refunded in its newest report (charge.refunded), at <see cref="RefundReportedAt"/>: counted
    /// again once a refund of ours it was read without fails or is given up.
    /// </summary>
    public long? ReportedRefundedCents { get; set; }

    /// <summary>When Stripe made the report of <see cref="ReportedRefundedCents"/> (its event's time).</summary>
    public DateTimeOffset? RefundReportedAt { get; set; }

    public bool IsSettled =>
        Status is PaymentStatus.Succeeded or PaymentStatus.PartiallyRefunded or PaymentStatus.Refunded;
    public long RefundableCents => IsSettled ? AmountCents - RefundedCents : 0;
}

public static class PaymentStatus
{
    public const string Pending = "pending";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
    public const string Expired = "expired";
    public const string Refunded = "refunded";
    public const string PartiallyRefunded = "partially_refunded";
    public static readonly string[] All = [Pending, Succeeded, Failed, Expired, Refunded, PartiallyRefunded];
}

public static class PendingPayments
{
    /// <summary>
    /// Ends those of <paramref name="payments"/> still pending, with <paramref name="status"/> and
    /// <paramref name="reason"/>; only while pending, so a webhook settling one meanwhile (under its row lock) wins.
    /// Publishes nothing. Answers how many it ended.
    /// </summary>
    public static Task<int> EndPendingAsync(
        this IQueryable<Payment> payments,
        string status,
        string reason,
        DateTimeOffset now,
        CancellationToken cancellationToken
    ) =>
        payments
            .Where(p => p.Status == PaymentStatus.Pending)
            .ExecuteUpdateAsync(
                set =>
                    set.SetProperty(p => p.Status, status)
                        .SetProperty(p => p.FailureReason, reason)
                        .SetProperty(p => p.UpdatedAt, now),
                cancellationToken
            );
}

public static class PaymentMethods
{
    public static readonly string[] All = ["card", "alipay", "wechat_pay"];
}

internal sealed class PaymentConfiguration : IEntityTypeConfiguration<Payment>
{
    public void Configure(EntityTypeBuilder<Payment> e)
    {
        e.Ignore(p => p.IsSettled);
        e.Ignore(p => p.RefundableCents);
        e.HasIndex(p => p.SessionId).IsUnique();
        // One open checkout per buyer and thing bought: asking twice returns the same session.
        e.HasIndex(p => new
            {
                p.UserId,
                p.Purpose,
                p.ReferenceId,
            })
            .IsUnique()
            .HasFilter("status = 'pending'");
        e.HasIndex(p => new
            {
                p.UserId,
                p.CreatedAt,
                p.Id,
            })
            .IsDescending(false, true, true);
        e.HasIndex(p => p.ReferenceId);
        e.HasIndex(p => p.PaymentIntentId).HasFilter("payment_intent_id IS NOT NULL");
        e.HasIndex(p => p.ProviderSubscriptionId).HasFilter("provider_subscription_id IS NOT NULL");
    }
}
