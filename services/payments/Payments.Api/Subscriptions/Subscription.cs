using Community.Contracts;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Community.Payments.Subscriptions;

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
    public bool CancelAtPeriodEnd { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

public static class SubscriptionStatus
{
    public const string Active = "active";
    public const string Canceled = "canceled";

    /// <summary>Ours, not Stripe's: the period ended long ago and no renewal was ever reported.</summary>
    public const string Expired = "expired";

    /// <summary>Stripe's statuses we accept from webhooks.</summary>
    public static readonly string[] FromProvider =
    [
        Active,
        "trialing",
        "past_due",
        "unpaid",
        "incomplete",
        "incomplete_expired",
        "paused",
        Canceled,
    ];

    /// <summary>past_due keeps the tier while the provider retries the renewal charge.</summary>
    public static bool Entitles(string status) => status is Active or "trialing" or "past_due";
}

/// <summary>The "Payments:Subscriptions" configuration section.</summary>
public sealed class SubscriptionOptions
{
    public const string Section = "Payments:Subscriptions";

    /// <summary>How often ended subscriptions are looked for.</summary>
    public TimeSpan ExpirySweepInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long after its period end a subscription nobody renewed keeps its tier (renewal webhooks may be late).</summary>
    public TimeSpan RenewalGrace { get; set; } = TimeSpan.FromDays(3);
}

internal sealed class SubscriptionConfiguration : IEntityTypeConfiguration<Subscription>
{
    public void Configure(EntityTypeBuilder<Subscription> e)
    {
        e.ToTable("subscriptions");
        e.HasKey(s => s.UserId);
    }
}
