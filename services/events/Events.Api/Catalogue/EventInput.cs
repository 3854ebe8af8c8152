using System.ComponentModel.DataAnnotations;
using Community.ServiceDefaults.OpenApi;

namespace Community.Events.Catalogue;

/// <summary>
/// Everything an organizer sets on an event. Creation reads it from the body; an edit overlays
/// the body on the current values and validates the result with the same rules. Unknown
/// members (status, organizer_id, seats...) are refused, like everywhere (shared JSON options).
/// </summary>
public sealed record EventInput : IRequestExample<EventInput>
{
    /// <summary>3-120 characters.</summary>
    [Required]
    public string? Title { get; init; }

    /// <summary>At most 5000 characters.</summary>
    public string? Description { get; init; }

    [Required, ValuesOf(typeof(EventTypes))]
    public string? EventType { get; init; }

    /// <summary>At most 20 interests of 1-40 characters.</summary>
    public List<string>? Interests { get; init; }
    public string? Region { get; init; }
    public string? LocationName { get; init; }
    public string? Address { get; init; }
    public string? City { get; init; }

    /// <summary>ISO 3166-1 alpha-2 code, e.g. AE.</summary>
    public string? Country { get; init; }

    /// <summary>Degrees, -90 to 90: the venue, for check-in by location.</summary>
    [Required]
    public double? Latitude { get; init; }

    /// <summary>Degrees, -180 to 180.</summary>
    [Required]
    public double? Longitude { get; init; }

    /// <summary>Metres around the venue a check-in must come from, 20-2000 (default 150).</summary>
    public int? GeofenceRadiusM { get; init; }

    /// <summary>In the future, within 5 years; with an offset.</summary>
    [Required]
    public DateTimeOffset? StartsAt { get; init; }

    /// <summary>After starts_at, at most 31 days later.</summary>
    [Required]
    public DateTimeOffset? EndsAt { get; init; }

    /// <summary>IANA time zone id such as Asia/Dubai (default UTC).</summary>
    public string? TimeZone { get; init; }

    /// <summary>Seats, 1-100000; null for unlimited.</summary>
    public int? Capacity { get; init; }
    public bool? WaitlistEnabled { get; init; }

    /// <summary>The ticket price in minor units (0-100000000); 0 or absent is free.</summary>
    public long? PriceCents { get; init; }

    /// <summary>ISO 4217 code, required when price_cents is above 0.</summary>
    public string? Currency { get; init; }

    /// <summary>
    /// Hours before the start after which registrations are not refunded, 0-720 (default 24); a ticket checked in is
    /// not refunded by its holder's cancellation.
    /// </summary>
    public int? RefundCutoffHours { get; init; }

    /// <summary>An absolute http(s) URL.</summary>
    public string? CoverImageUrl { get; init; }

    /// <summary>public (the default) or private (invited users only).</summary>
    [ValuesOf(typeof(Visibility))]
    public string? Visibility { get; init; }

    /// <summary>At most 1000 users who may see and join a private event.</summary>
    public List<Guid>? InvitedUserIds { get; init; }

    public static EventInput Example =>
        new()
        {
            Title = "Sunrise hike at Jebel Jais",
            Description = "A guided 8 km hike; bring water and good shoes.",
            EventType = "trip",
            Interests = ["hiking"],
            Region = "Ras Al Khaimah",
            LocationName = "Jebel Jais viewing deck",
            City = "Ras Al Khaimah",
            Country = "AE",
            Latitude = 25.9426,
            Longitude = 56.1310,
            StartsAt = new DateTimeOffset(2030, 5, 16, 5, 0, 0, TimeSpan.FromHours(4)),
            EndsAt = new DateTimeOffset(2030, 5, 16, 9, 0, 0, TimeSpan.FromHours(4)),
            TimeZone = "Asia/Dubai",
            Capacity = 25,
            PriceCents = 5000,
            Currency = "AED",
            Visibility = Data.Visibility.Public,
        };
}
