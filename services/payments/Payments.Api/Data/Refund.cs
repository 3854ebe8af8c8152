using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Community.Payments.Data;

public sealed class Refund
{
    public Guid Id { get; set; }
    public Guid PaymentId { get; set; }
    public long AmountCents { get; set; }
    public string Reason { get; set; } = "";
    public Guid? RequestedBy { get; set; }
    public string? ProviderRefundId { get; set; }

    /// <summary>
    /// A <see cref="RefundStatus"/>; a pending refund already counts in the payment's refunded total.
    /// </summary>
    public string Status { get; set; } = RefundStatus.Pending;
    public string? FailureReason { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>When it succeeded or failed.</summary>
    public DateTimeOffset? CompletedAt { get; set; }
}

/// <summary>
/// A refund's state: ours before the provider answered (requested), then the provider's reduced to three.
/// </summary>
public static class RefundStatus
{
    /// <summary>
    /// Recorded, the provider not yet (known to be) asked; not counted in the payment's refunded total.
    /// </summary>
    public const string Requested = "requested";
    public const string Pending = "pending";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
    public static readonly string[] All = [Requested, Pending, Succeeded, Failed];

    /// <summary>
    /// Stripe's refund status: canceled never moved money; anything but succeeded or failed is under way.
    /// </summary>
    public static string FromProvider(string? status) =>
        status switch
        {
            "succeeded" => Succeeded,
            "failed" or "canceled" => Failed,
            _ => Pending,
        };
}

internal sealed class RefundConfiguration : IEntityTypeConfiguration<Refund>
{
    public void Configure(EntityTypeBuilder<Refund> e)
    {
        e.HasOne<Payment>().WithMany().HasForeignKey(r => r.PaymentId);
        e.HasIndex(r => r.PaymentId);
        // Stripe's refund webhooks name the refund by its Stripe id.
        e.HasIndex(r => r.ProviderRefundId).IsUnique().HasFilter("provider_refund_id IS NOT NULL");
        // RefundIntentRecovery finds the requests nobody finished.
        e.HasIndex(r => r.CreatedAt).HasFilter("status = 'requested'");
    }
}
