using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Community.Payments.Data;

/// <summary>A tier granted to a referrer for reaching <see cref="Conversions"/> conversions.</summary>
public sealed class ReferralReward
{
    public Guid ReferrerUserId { get; set; }
    public int Conversions { get; set; }
    public string Tier { get; set; } = "";

    /// <summary>Null: for life.</summary>
    public DateTimeOffset? CurrentPeriodEnd { get; set; }
    public DateTimeOffset GrantedAt { get; set; }

    /// <summary>
    /// Set when refunds brought the conversions back below the milestone; reaching it again grants it anew.
    /// </summary>
    public DateTimeOffset? RevokedAt { get; set; }
}

internal sealed class ReferralRewardConfiguration : IEntityTypeConfiguration<ReferralReward>
{
    public void Configure(EntityTypeBuilder<ReferralReward> e) =>
        e.HasKey(r => new { r.ReferrerUserId, r.Conversions });
}
