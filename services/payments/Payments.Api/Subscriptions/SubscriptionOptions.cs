namespace Community.Payments.Subscriptions;

/// <summary>The "Payments:Subscriptions" configuration section.</summary>
public sealed class SubscriptionOptions
{
    public const string Section = "Payments:Subscriptions";

    /// <summary>How often ended subscriptions are looked for.</summary>
    public TimeSpan ExpirySweepInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How long after its period end a subscription nobody renewed keeps its tier (renewal webhooks may be late).
    /// </summary>
    public TimeSpan RenewalGrace { get; set; } = TimeSpan.FromDays(3);
}
