using Community.Events.Catalogue;
using Community.Events.Data;
using Microsoft.EntityFrameworkCore;

namespace Community.Events.Bench;

/// <summary>
/// Queries the benchmark compares the API's with: the nearby SQL the API ran before the ordered
/// index walk (kept to prove the new one returns the same rows, and to show what it saved), and the
/// catalogue paging proposed for CatalogueApi (ids first from the index, then the 20 rows).
/// </summary>
public static class Baselines
{
    /// <summary>An event lasts at most 31 days (EventRules), so one that has not ended started after now - 31 days.</summary>
    public static readonly TimeSpan MaxEventDuration = TimeSpan.FromDays(31);

    /// <summary>The nearby query before: every row in the radius is read, then sorted.</summary>
    public static IQueryable<NearbyRow> SortedNearby(EventsDbContext db, double latitude, double longitude, double radiusM, int limit, Caller caller, DateTimeOffset now) =>
        db.Database.SqlQuery<NearbyRow>($"""
            SELECT e.id AS "Id", earth_distance(e.position, ll_to_earth({latitude}, {longitude})) AS "DistanceM"
            FROM community_events e
            WHERE e.status = 'published'
              AND e.ends_at > {now}
              AND earth_box(ll_to_earth({latitude}, {longitude}), {radiusM}) @> e.position
              AND earth_distance(e.position, ll_to_earth({latitude}, {longitude})) <= {radiusM}
              AND ({caller.IsAdmin} OR e.visibility = 'public' OR e.organizer_id = {caller.UserId} OR {caller.UserId} = ANY (e.invited_user_ids))
            ORDER BY 2, e.id
            LIMIT {limit}
            """);

    /// <summary>
    /// Proposed paging: the page's ids from the catalogue query (an index-only scan of
    /// community_events_catalogue, however deep the page), then only those rows from the table.
    /// With <paramref name="boundStart"/> the scan also starts at now - 31 days instead of at the
    /// oldest event, so past events are not stepped over.
    /// </summary>
    public static IQueryable<CommunityEvent> IdsFirstPage(EventsDbContext db, CatalogueFilter filter, Caller caller, DateTimeOffset now, int offset, int limit, bool boundStart)
    {
        var catalogue = CatalogueQueries.Catalogue(db, filter, caller, now);
        if (boundStart && filter.StartsAfter is null) catalogue = catalogue.Where(e => e.StartsAt > now - MaxEventDuration);
        var ids = catalogue.Skip(offset).Take(limit).Select(e => e.Id);
        return db.Events.AsNoTracking().Where(e => ids.Contains(e.Id)).OrderBy(e => e.StartsAt).ThenBy(e => e.Id);
    }
}
