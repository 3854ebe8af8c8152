using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Community.Identity.Data;

public sealed class Referral
{
    public Guid ReferredUserId { get; set; }
    public Guid ReferrerUserId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? ConvertedAt { get; set; }

    /// <summary>The payment that converted the referral, written by <c>ReferralConversionConsumer</c>.</summary>
    public Guid? ConversionPaymentId { get; set; }

    /// <summary>That payment's amount: a refund of at least this much revokes the conversion.</summary>
    public long? ConversionAmountCents { get; set; }

    /// <summary>
    /// Set when the converting payment was refunded in full: the conversion no longer counts (and never converts
    /// again).
    /// </summary>
    public DateTimeOffset? RevokedAt { get; set; }
}

internal sealed class ReferralConfiguration : IEntityTypeConfiguration<Referral>
{
    public void Configure(EntityTypeBuilder<Referral> builder)
    {
        builder.HasKey(r => r.ReferredUserId);
        builder
            .HasOne<User>()
            .WithOne()
            .HasForeignKey<Referral>(r => r.ReferredUserId)
            .OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<User>().WithMany().HasForeignKey(r => r.ReferrerUserId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(r => r.ReferrerUserId, "referrals_referrer");
        builder.HasIndex(r => r.ReferrerUserId, "referrals_converted").HasFilter("converted_at IS NOT NULL");
        builder
            .HasIndex(r => r.ConversionPaymentId, "referrals_conversion_payment")
            .HasFilter("conversion_payment_id IS NOT NULL");
    }
}
