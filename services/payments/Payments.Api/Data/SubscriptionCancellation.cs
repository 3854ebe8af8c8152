using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Community.Payments.Data;

/// <summary>
/// A stop of a subscription asked of the provider (now, or at its period end), kept until the provider has done it; a
/// refund's also ends ours then. Its id is the SubscriptionCancellationRequested message's.
/// </summary>
public sealed class SubscriptionCancellation : IProviderRequest
{
    public Guid Id { get; set; }
    public Guid UserId { get; set; }
    public string ProviderSubscriptionId { get; set; } = "";
    public bool AtPeriodEnd { get; set; }
    public Guid? RefundedPaymentId { get; set; }
    public DateTimeOffset RequestedAt { get; set; }

    /// <summary>How many times the recovery asked the provider without an answer that did it.</summary>
    public int Attempts { get; set; }
    public DateTimeOffset NextAttemptAt { get; set; }
    public DateTimeOffset? DoneAt { get; set; }
}

internal sealed class SubscriptionCancellationConfiguration : IEntityTypeConfiguration<SubscriptionCancellation>
{
    public void Configure(EntityTypeBuilder<SubscriptionCancellation> e)
    {
        e.HasKey(c => c.Id);
        // The recovery looks for the ones not done whose next attempt is due.
        e.HasIndex(c => c.NextAttemptAt, "subscription_cancellations_due").HasFilter("done_at IS NULL");
    }
}
