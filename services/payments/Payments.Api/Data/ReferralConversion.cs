using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Community.Payments.Data;

/// <summary>A referred user's first paid purchase, as identity announced it: one per referred user.</summary>
public sealed class ReferralConversion
{
    public Guid ReferredUserId { get; set; }
    public Guid ReferrerUserId { get; set; }
    public Guid PaymentId { get; set; }
    public DateTimeOffset ConvertedAt { get; set; }

    /// <summary>Set when the payment was refunded in full: the conversion no longer counts.</summary>
    public DateTimeOffset? RevokedAt { get; set; }
}

internal sealed class ReferralConversionConfiguration : IEntityTypeConfiguration<ReferralConversion>
{
    public void Configure(EntityTypeBuilder<ReferralConversion> e)
    {
        e.HasKey(c => c.ReferredUserId);
        e.HasIndex(c => c.ReferrerUserId);
        e.HasIndex(c => c.PaymentId);
    }
}
