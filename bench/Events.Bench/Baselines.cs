using Community.Events.Catalogue;
using Community.Events.Data;
using Microsoft.EntityFrameworkCore;

namespace Community.Events.Bench;

/// <summary>
/// Queries the benchmark compares the API's with: the nearby SQL the API ran before the ordered
/// index walk (kept to prove the new one returns the same rows, and to show what it saved).
/// </summary>
public static class Baselines
{
    /// <summary>The nearby query before: every row in the radius is read, then sorted.</summary>
    public static IQueryable<NearbyRow> SortedNearby(
        EventsDbContext db,
        double latitude,
        double longitude,
        double radiusM,
        int limit,
        CatalogueAccess.Caller caller,
        DateTimeOffset now
    ) =>
        db.Database.SqlQuery<NearbyRow>(
            $"""
            SELECT e.id, earth_distance(e.position, ll_to_earth({latitude}, {longitude})) AS distance_m
            FROM community_events e
            WHERE e.status = 'published'
              AND e.ends_at > {now}
              AND earth_box(ll_to_earth({latitude}, {longitude}), {radiusM}) @> e.position
              AND earth_distance(e.position, ll_to_earth({latitude}, {longitude})) <= {radiusM}
              AND ({caller.IsAdmin} OR e.visibility = 'public' OR e.organizer_id = {caller.UserId}
                   OR {caller.UserId} = ANY (e.invited_user_ids))
            ORDER BY 2, e.id
            LIMIT {limit}
            """
        );
}
