using System.ComponentModel;
using System.Text.Json.Serialization;
using Community.Events.Registrations;
using Community.ServiceDefaults.Api;
using Community.ServiceDefaults.OpenApi;

namespace Community.Events.Catalogue;

/// <summary>An event as clients see it: instants in UTC, plus the same instants in the event's own zone.</summary>
public sealed record EventDto(
    Guid Id,
    Guid OrganizerId,
    string Title,
    string Description,
    [property: ValuesOf(typeof(EventTypes))] string EventType,
    IReadOnlyList<string> Interests,
    string? Region,
    string? LocationName,
    string? Address,
    string? City,
    string? Country,
    double Latitude,
    double Longitude,
    int GeofenceRadiusM,
    DateTimeOffset StartsAt,
    DateTimeOffset EndsAt,
    string TimeZone,
    [property: JsonConverter(typeof(LocalDateTimeOffsetConverter))] DateTimeOffset StartsAtLocal,
    [property: JsonConverter(typeof(LocalDateTimeOffsetConverter))] DateTimeOffset EndsAtLocal,
    int? Capacity,
    int RegistrationCount,
    int? SpotsRemaining,
    bool WaitlistEnabled,
    long PriceCents,
    string? Currency,
    bool IsFree,
    int RefundCutoffHours,
    string? CoverImageUrl,
    [property: ValuesOf(typeof(Visibility))] string Visibility,
    IReadOnlyList<Guid>? InvitedUserIds,
    [property: ValuesOf(typeof(EventStatus))] string Status,
    string? CancellationReason,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? PublishedAt,
    DateTimeOffset? CancelledAt
)
{
    /// <summary>Details only: whether the caller holds a live registration.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? IsRegistered { get; init; }

    /// <summary>Details and "my events": the caller's registration.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public RegistrationDto? MyRegistration { get; init; }

    /// <summary>Nearby search only: metres from the searched point.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? DistanceM { get; init; }

    /// <summary>The invited list is shown to those who manage the event only.</summary>
    public static EventDto From(CommunityEvent e, bool manager)
    {
        var zone = EventZones.Of(e.TimeZone);
        return new(
            e.Id,
            e.OrganizerId,
            e.Title,
            e.Description,
            e.EventType,
            e.Interests,
            e.Region,
            e.LocationName,
            e.Address,
            e.City,
            e.Country,
            e.Latitude,
            e.Longitude,
            e.GeofenceRadiusM,
            e.StartsAt.ToUniversalTime(),
            e.EndsAt.ToUniversalTime(),
            e.TimeZone,
            TimeZoneInfo.ConvertTime(e.StartsAt, zone),
            TimeZoneInfo.ConvertTime(e.EndsAt, zone),
            e.Capacity,
            e.SeatsTaken,
            e.SpotsRemaining,
            e.WaitlistEnabled,
            e.PriceCents,
            e.Currency,
            !e.IsPaid,
            e.RefundCutoffHours,
            e.CoverImageUrl,
            e.Visibility,
            manager ? e.InvitedUserIds : null,
            e.Status,
            e.CancellationReason,
            e.CreatedAt,
            e.UpdatedAt,
            e.PublishedAt,
            e.CancelledAt
        );
    }
}

public sealed record NearbyResult(IReadOnlyList<EventDto> Items, double Latitude, double Longitude, double RadiusKm);

/// <summary>The caller's events: those they organize and those they joined.</summary>
public sealed record MyEventsDto(
    [property: Description("Events I organize, drafts included, latest start first; at most 200.")]
        IReadOnlyList<EventDto> Created,
    [property: Description(
        "Events I hold a live registration for (waitlist included), latest start first; at most 200."
    )]
        IReadOnlyList<EventDto> Joined,
    [property: Description("Whether I organize more events than created lists (those starting earliest are left out).")]
        bool CreatedHasMore,
    [property: Description("Whether I joined more events than joined lists (those starting earliest are left out).")]
        bool JoinedHasMore,
    [property: Description(
        "When created_has_more: the cursor of GET /api/v1/events/my/created that reads the events after those listed."
    )]
        string? CreatedNextCursor,
    [property: Description(
        "When joined_has_more: the cursor of GET /api/v1/events/my/joined that reads the events after those listed."
    )]
        string? JoinedNextCursor
)
{
    /// <summary>How many events each list holds at most.</summary>
    public const int Limit = 200;
}
