namespace Community.Events.Catalogue;

/// <summary>
/// The time zone an event's <c>time_zone</c> names. The runtime finds a zone it has already loaded under any casing
/// of its id, and one it has not only under the exact file name of the IANA database, so an id is accepted only as
/// the database spells it (<see cref="Canonical"/>); reading never fails on a stored id, whatever its spelling.
/// </summary>
public static class EventZones
{
    /// <summary>The zone named exactly <paramref name="id"/> (an IANA id), or null.</summary>
    public static TimeZoneInfo? Canonical(string id) =>
        TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone)
        && zone.HasIanaId
        && string.Equals(zone.Id, id, StringComparison.Ordinal)
            ? zone
            : null;

    /// <summary>The stored zone; one spelled otherwise found by its letters, and UTC if none is known here.</summary>
    public static TimeZoneInfo Of(string id) =>
        TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone)
            ? zone
            : TimeZoneInfo
                .GetSystemTimeZones()
                .FirstOrDefault(z => string.Equals(z.Id, id, StringComparison.OrdinalIgnoreCase))
                ?? TimeZoneInfo.Utc;
}
