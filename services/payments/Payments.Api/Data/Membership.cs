using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Community.Payments.Data;

/// <summary>The tier a user is entitled to from all sources, as last published in SubscriptionChanged.</summary>
public sealed class Membership
{
    public Guid UserId { get; set; }
    public string Tier { get; set; } = Tiers.Free;

    /// <summary>Until when the tier is paid up or granted; null with a paid tier: for life.</summary>
    public DateTimeOffset? TierUntil { get; set; }

    /// <summary>none, subscription or referral: what gives the tier.</summary>
    public string Source { get; set; } = MembershipSources.None;

    /// <summary>When a timed referral reward lapses, so the tier is worked out again.</summary>
    public DateTimeOffset? ReviewAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

public static class MembershipSources
{
    public const string None = "none";
    public const string Subscription = "subscription";
    public const string Referral = "referral";
    public static readonly string[] All = [None, Subscription, Referral];
}

internal sealed class MembershipConfiguration : IEntityTypeConfiguration<Membership>
{
    public void Configure(EntityTypeBuilder<Membership> e)
    {
        e.HasKey(m => m.UserId);
        e.HasIndex(m => m.ReviewAt).HasFilter("review_at IS NOT NULL");
    }
}
