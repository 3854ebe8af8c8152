using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Community.Payments.Data;

/// <summary>A user's membership: the plan bought, and the tier it entitles to right now.</summary>
public sealed class Subscription
{
    public Guid UserId { get; set; }

    /// <summary>premium or elite: what was bought.</summary>
    public string Plan { get; set; } = "";

    /// <summary>free, premium or elite: what the user gets now (free once the subscription ended).</summary>
    public string Tier { get; set; } = Tiers.Free;
    public string Status { get; set; } = SubscriptionStatus.Active;
    public string? ProviderSubscriptionId { get; set; }
    public Guid? LastPaymentId { get; set; }
    public DateTimeOffset? CurrentPeriodEnd { get; set; }

    /// <summary>
    /// The billing period in days of the purchase now held (its payment's): what its webhooks and refunds are judged
    /// by. Null on rows from before it was kept: <see cref="SubscriptionPeriods.DaysOf"/> reads the configuration then.
    /// </summary>
    public int? PeriodDays { get; set; }
    public bool CancelAtPeriodEnd { get; set; }

    /// <summary>
    /// When Stripe created the newest event about <see cref="ProviderSubscriptionId"/> applied here: an older one,
    /// delivered late (Stripe retries a failed delivery for days), is stale.
    /// </summary>
    public DateTimeOffset? ProviderEventAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

public static class SubscriptionStatus
{
    public const string Active = "active";
    public const string Canceled = "canceled";
    public const string Trialing = "trialing";

    /// <summary>Ours, not Stripe's: the period ended long ago and no renewal was ever reported.</summary>
    public const string Expired = "expired";

    /// <summary>Stripe's statuses we accept from webhooks.</summary>
    public static readonly string[] FromProvider =
    [
        Active,
        Trialing,
        "past_due",
        "unpaid",
        "incomplete",
        "incomplete_expired",
        "paused",
        Canceled,
    ];

    /// <summary>past_due keeps the tier while the provider retries the renewal charge.</summary>
    public static bool Entitles(string status) => status is Active or Trialing or "past_due";
}

internal sealed class SubscriptionConfiguration : IEntityTypeConfiguration<Subscription>
{
    public void Configure(EntityTypeBuilder<Subscription> e)
    {
        e.HasKey(s => s.UserId);
        e.HasIndex(s => s.ProviderSubscriptionId).IsUnique();
        // The expiry sweep looks for entitlements whose period has run out.
        e.HasIndex(s => s.CurrentPeriodEnd).HasFilter("tier <> 'free'");
    }
}
