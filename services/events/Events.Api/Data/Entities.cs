namespace Community.Events.Data;

public static class EventStatus
{
    public const string Draft = "draft";
    public const string Published = "published";
    public const string Cancelled = "cancelled";
}

public static class Visibility
{
    public const string Public = "public";
    public const string Private = "private";
    public static readonly string[] All = [Public, Private];
}

public static class EventTypes
{
    public static readonly string[] All = ["meetup", "workshop", "hackathon", "trip", "social", "class", "other"];
}

/// <summary>An event people meet at; "CommunityEvent" so it is never confused with a domain or integration event.</summary>
public sealed class CommunityEvent
{
    public Guid Id { get; set; }

    /// <summary>The row's version (xmin): the event's ETag.</summary>
    public uint Version { get; set; }
    public Guid OrganizerId { get; set; }
    public string Title { get; set; } = "";
    public string Description { get; set; } = "";
    public string EventType { get; set; } = "meetup";
    public List<string> Interests { get; set; } = [];
    public string? Region { get; set; }
    public string? LocationName { get; set; }
    public string? Address { get; set; }
    public string? City { get; set; }
    public string? Country { get; set; }
    public double Latitude { get; set; }
    public double Longitude { get; set; }
    public int GeofenceRadiusM { get; set; } = 150;
    public DateTimeOffset StartsAt { get; set; }
    public DateTimeOffset EndsAt { get; set; }
    public string TimeZone { get; set; } = "UTC";
    public int? Capacity { get; set; }
    public int SeatsTaken { get; set; }
    public bool WaitlistEnabled { get; set; } = true;
    public long PriceCents { get; set; }
    public string? Currency { get; set; }
    public int RefundCutoffHours { get; set; } = 24;
    public string? CoverImageUrl { get; set; }

    /// <summary>The uploaded cover's blob, when <see cref="CoverImageUrl"/> is ours; null for a URL the organizer gave.</summary>
    public string? CoverImageKey { get; set; }
    public string Visibility { get; set; } = Data.Visibility.Public;
    public List<Guid> InvitedUserIds { get; set; } = [];
    public string Status { get; set; } = EventStatus.Draft;
    public string? CancellationReason { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? PublishedAt { get; set; }
    public DateTimeOffset? CancelledAt { get; set; }

    public bool IsPaid => PriceCents > 0;
    public int? SpotsRemaining => Capacity is { } capacity ? Math.Max(0, capacity - SeatsTaken) : null;

    public bool IsManagedBy(Guid userId, bool isAdmin) => isAdmin || OrganizerId == userId;

    /// <summary>Who may see it at all: public once published; private only to the invited; the organizer always.</summary>
    public bool IsVisibleTo(Guid? userId, bool isAdmin) =>
        isAdmin
        || (userId is { } id && OrganizerId == id)
        || (
            Status != EventStatus.Draft
            && (Visibility == Data.Visibility.Public || (userId is { } u && InvitedUserIds.Contains(u)))
        );
}

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

    /// <summary>What was refunded of <see cref="PaymentId"/> so far (PaymentRefunded's running total as of <see cref="RefundsAsOf"/>).</summary>
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
