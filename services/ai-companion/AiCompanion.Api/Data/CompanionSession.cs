using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Community.AiCompanion.Data;

/// <summary>
/// What a session row stores in <c>status</c>; <see cref="Ended"/> is also how an active one past its end or its
/// messages reads.
/// </summary>
public static class SessionStates
{
    public const string Pending = "pending";
    public const string Active = "active";
    public const string Rejected = "rejected";
    public const string Ended = "ended";
    public static readonly string[] All = [Pending, Active, Rejected, Ended];
}

/// <summary>A session bought with credits: it lifts the daily limit while it lasts.</summary>
public sealed class CompanionSession
{
    public Guid Id { get; set; }
    public Guid UserId { get; set; }
    public string IdempotencyKey { get; set; } = "";
    public string Status { get; set; } = SessionStates.Pending;

    /// <summary>The price the companion expected when it was asked for; the spend must match it.</summary>
    public long PriceCredits { get; set; }
    public int Minutes { get; set; }
    public int? MessageAllowance { get; set; }
    public int MessagesUsed { get; set; }

    /// <summary>Payments' spend (the CreditsSpent message id) that paid for it.</summary>
    public Guid? SpendId { get; set; }
    public DateTimeOffset RequestedAt { get; set; }
    public DateTimeOffset? StartsAt { get; set; }
    public DateTimeOffset? EndsAt { get; set; }
    public string? Rejection { get; set; }

    /// <summary>
    /// The state a client sees at <paramref name="now"/>: an active one past its end or messages has ended.
    /// </summary>
    public string StateAt(DateTimeOffset now) =>
        Status == SessionStates.Active && (EndsAt <= now || MessagesUsed >= MessageAllowance)
            ? SessionStates.Ended
            : Status;
}

internal sealed class CompanionSessionConfiguration : IEntityTypeConfiguration<CompanionSession>
{
    public void Configure(EntityTypeBuilder<CompanionSession> e)
    {
        e.HasKey(s => s.Id);
        e.HasIndex(s => new { s.UserId, s.IdempotencyKey }).IsUnique();
        // One open (pending or active) session per user.
        e.HasIndex(s => s.UserId)
            .IsUnique()
            .HasDatabaseName("companion_sessions_one_open")
            .HasFilter("status IN ('pending', 'active')");
    }
}
