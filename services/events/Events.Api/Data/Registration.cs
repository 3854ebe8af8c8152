using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Community.Events.Data;

public static class RegistrationStatus
{
    public const string Held = "held";
    public const string Confirmed = "confirmed";
    public const string Waitlisted = "waitlisted";
    public const string Cancelled = "cancelled";
    public const string Expired = "expired";
    public const string Refunded = "refunded";
    public static readonly string[] Live = [Held, Confirmed, Waitlisted];
    public static readonly string[] All = [Held, Confirmed, Waitlisted, Cancelled, Expired, Refunded];
}

public sealed class Registration
{
    public Guid Id { get; set; }
    public long Sequence { get; private set; }
    public Guid EventId { get; set; }
    public Guid UserId { get; set; }
    public string Status { get; set; } = RegistrationStatus.Confirmed;
    public string? TicketCode { get; set; }
    public long AmountCents { get; set; }
    public string? Currency { get; set; }
    public DateTimeOffset? HoldExpiresAt { get; set; }
    public Guid? PaymentId { get; set; }

    /// <summary>
    /// What was refunded of <see cref="PaymentId"/> so far (PaymentRefunded's running total as of <see
    /// cref="RefundsAsOf"/>).
    /// </summary>
    public long RefundedCents { get; set; }
    public DateTimeOffset? RefundsAsOf { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? ConfirmedAt { get; set; }
    public DateTimeOffset? CancelledAt { get; set; }
    public DateTimeOffset? ArrivedAt { get; set; }
    public double? ArrivalDistanceM { get; set; }
    public Guid? CheckedInBy { get; set; }

    public bool HoldsSeat => Status is RegistrationStatus.Held or RegistrationStatus.Confirmed;
}

internal sealed class RegistrationConfiguration : IEntityTypeConfiguration<Registration>
{
    public void Configure(EntityTypeBuilder<Registration> e)
    {
        e.Property(r => r.Sequence).UseIdentityAlwaysColumn();
        e.Ignore(r => r.HoldsSeat);
        e.HasOne<CommunityEvent>().WithMany().HasForeignKey(r => r.EventId).OnDelete(DeleteBehavior.Cascade);

        e.HasIndex(r => r.TicketCode, "registrations_ticket_code_key").IsUnique();
        // One live registration per user and event: a second attempt finds the first, never a second seat.
        e.HasIndex(r => new { r.EventId, r.UserId }, "registrations_live")
            .IsUnique()
            .HasFilter("status IN ('held', 'confirmed', 'waitlisted')");
        e.HasIndex(r => new { r.UserId, r.CreatedAt }, "registrations_user").IsDescending(false, true);
        e.HasIndex(r => new { r.EventId, r.Sequence }, "registrations_event");
        e.HasIndex(r => r.HoldExpiresAt, "registrations_expiring_holds").HasFilter("status = 'held'");
        e.HasIndex(r => new { r.EventId, r.Sequence }, "registrations_waitlisted").HasFilter("status = 'waitlisted'");
        e.HasIndex(r => new { r.EventId, r.HoldExpiresAt }, "registrations_held").HasFilter("status = 'held'");
    }
}
