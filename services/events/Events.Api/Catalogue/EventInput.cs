namespace Community.Events.Catalogue;

/// <summary>
/// Everything an organizer sets on an event. Creation reads it from the body; an edit overlays
/// the body on the current values and validates the result with the same rules. Unknown
/// members (status, organizer_id, seats...) are refused, like everywhere (shared JSON options).
/// </summary>
public sealed record EventInput
{
    public string? Title { get; init; }
    public string? Description { get; init; }
    public string? EventType { get; init; }
    public List<string>? Interests { get; init; }
    public string? Region { get; init; }
    public string? LocationName { get; init; }
    public string? Address { get; init; }
    public string? City { get; init; }
    public string? Country { get; init; }
    public double? Latitude { get; init; }
    public double? Longitude { get; init; }
    public int? GeofenceRadiusM { get; init; }
    public DateTimeOffset? StartsAt { get; init; }
    public DateTimeOffset? EndsAt { get; init; }
    public string? TimeZone { get; init; }
    public int? Capacity { get; init; }
    public bool? WaitlistEnabled { get; init; }
    public long? PriceCents { get; init; }
    public string? Currency { get; init; }
    public int? RefundCutoffHours { get; init; }
    public string? CoverImageUrl { get; init; }
    public string? Visibility { get; init; }
    public List<Guid>? InvitedUserIds { get; init; }
}
