using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Community.Identity.Data;

/// <summary>
/// A refund of a referred member's payment heard of while the referral was still unconverted, written by
/// <c>ReferralRefundConsumer</c>: the refund may be handled before the payment it refunds, and the payment, when it
/// comes, must not convert the referral as if nothing had been refunded. Deleted once the referral converts, or with
/// the referral.
/// </summary>
public sealed class ReferralRefund
{
    public Guid PaymentId { get; set; }
    public Guid ReferredUserId { get; set; }

    /// <summary>
    /// The payment's running refunded total, the highest heard of: as much as the payment's amount is a full refund.
    /// </summary>
    public long TotalRefundedCents { get; set; }

    /// <summary>When payments recorded that total.</summary>
    public DateTimeOffset RefundedAt { get; set; }
}

internal sealed class ReferralRefundConfiguration : IEntityTypeConfiguration<ReferralRefund>
{
    public void Configure(EntityTypeBuilder<ReferralRefund> builder)
    {
        builder.HasKey(r => r.PaymentId);
        builder.HasOne<Referral>().WithMany().HasForeignKey(r => r.ReferredUserId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(r => r.ReferredUserId, "referral_refunds_referred_user_id");
    }
}
