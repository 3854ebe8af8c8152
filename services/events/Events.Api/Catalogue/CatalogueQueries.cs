using Community.ServiceDefaults.Api;
using NpgsqlTypes;
using static Community.Events.Catalogue.CatalogueAccess;

namespace Community.Events.Catalogue;

/// <summary>Catalogue filters, already validated.</summary>
public sealed record CatalogueFilter(
    string? City = null,
    string? Country = null,
    string? Region = null,
    string? EventType = null,
    string? Interest = null,
    string? Text = null,
    DateTimeOffset? StartsAfter = null,
    DateTimeOffset? StartsBefore = null,
    bool? Paid = null
);

public sealed record NearbyRow(Guid Id, double DistanceM);

/// <summary>The catalogue's queries, shared by the API and the benchmark so both measure the same SQL.</summary>
public static class CatalogueQueries
{
    /// <summary>
    /// Where the upcoming catalogue's index scan starts: the earliest start among events going on now (found through
    /// the GiST index on tstzrange(starts_at, ends_at)), or now when none is. Starting at now - 31 days (the longest an
    /// event lasts) stepped over every event that ended this past month, reading each one's row when a filter needs the
    /// table. Read first, so the catalogue query is planned with the value (a subquery's value is unknown to the
    /// planner).
    /// </summary>
    public static async Task<DateTimeOffset> EarliestStartAsync(
        EventsDbContext db,
        DateTimeOffset now,
        CancellationToken cancellationToken = default
    ) =>
        // min over lower(...), not starts_at, so the planner does not answer min() by walking the catalogue index from
        // the oldest event.
        await db
            .Database.SqlQuery<DateTimeOffset>(
                $"""
                SELECT coalesce(min(lower(tstzrange(starts_at, ends_at))), {now}) AS "Value" FROM community_events
                WHERE status = 'published' AND tstzrange(starts_at, ends_at) @> {now}
                """
            )
            .SingleAsync(cancellationToken);

    /// <summary>
    /// Published events the caller may see, filtered, in start order (ties by id, so pages are stable).
    /// </summary>
    /// <param name="earliestStart">From <see cref="EarliestStartAsync"/> for the same <paramref name="now"/>.</param>
    /// <param name="hiddenOrganizers">
    /// Organizers whose events are left out (<see cref="CatalogueAccess.HiddenOrganizersAsync"/>); with none, the query
    /// is the one it always was, read from the catalogue index alone.
    /// </param>
    public static IQueryable<CommunityEvent> Catalogue(
        EventsDbContext db,
        CatalogueFilter filter,
        Caller caller,
        DateTimeOffset now,
        DateTimeOffset earliestStart,
        IReadOnlyCollection<Guid>? hiddenOrganizers = null
    )
    {
        var query = Visible(db.CommunityEvents.AsNoTracking().Where(e => e.Status == EventStatus.Published), caller);
        if (hiddenOrganizers is { Count: > 0 })
        {
            var hidden = hiddenOrganizers.ToList();
            query = query.Where(e => !hidden.Contains(e.OrganizerId));
        }
        // Upcoming (including ongoing) unless the caller asks for a start range.
        if (filter.StartsAfter is null)
            query = query.Where(e => e.EndsAt > now && e.StartsAt >= earliestStart);
        else
            query = query.Where(e => e.StartsAt >= filter.StartsAfter);
        if (filter.StartsBefore is { } before)
            query = query.Where(e => e.StartsAt < before);
        if (filter.City is { } city)
            // Both sides lower-cased by the database (the parameter too, not .NET, whose casing differs on a
            // few letters such as a dotted capital I), as the index on lower(city) reads it.
            query = query.Where(e => e.City!.ToLower() == EF.Parameter(city).ToLower());
        if (filter.Country is { } country)
            query = query.Where(e => e.Country == country);
        if (filter.Region is { } region)
            query = query.Where(e => e.Region!.ToLower() == EF.Parameter(region).ToLower());
        if (filter.EventType is { } type)
            query = query.Where(e => e.EventType == type);
        if (filter.Interest is { } interest)
        {
            string[] wanted = [interest];
            query = query.Where(e => wanted.All(i => e.Interests.Contains(i)));
        }
        if (filter.Text is { } text)
            query = query.Where(e =>
                EF.Property<NpgsqlTsVector>(e, CommunityEvent.SearchColumn)
                    .Matches(EF.Functions.WebSearchToTsQuery("simple", text))
            );
        if (filter.Paid is { } paid)
            query = paid ? query.Where(e => e.PriceCents > 0) : query.Where(e => e.PriceCents == 0);
        return query.OrderBy(e => e.StartsAt).ThenBy(e => e.Id);
    }

    /// <summary>
    /// One page of a catalogue query and one probe row (whether a next page exists): the ids come from the catalogue
    /// index alone (however deep the OFFSET; a cursor seeks straight to its position), then only those rows are read.
    /// </summary>
    public static async Task<List<CommunityEvent>> PageAsync(
        EventsDbContext db,
        IQueryable<CommunityEvent> catalogue,
        PageStart<TimeAndId> start,
        CancellationToken cancellationToken = default
    )
    {
        var ids = await catalogue.ProbePageBy(start, After).Select(e => e.Id).ToListAsync(cancellationToken);
        var rows = await db
            .CommunityEvents.AsNoTracking()
            .Where(e => ids.Contains(e.Id))
            .ToDictionaryAsync(e => e.Id, cancellationToken);
        return ids.Where(rows.ContainsKey).Select(id => rows[id]).ToList();
    }

    /// <summary>
    /// What one catalogue request reads: the page (with its probe row) and the bounded total, from one snapshot (an
    /// event edited or cancelled between the page's ids and its rows, or before the total, cannot show).
    /// </summary>
    public static Task<(CountedTotal Total, List<CommunityEvent> Rows)> ListAsync(
        EventsDbContext db,
        IQueryable<CommunityEvent> catalogue,
        PageStart<TimeAndId> start,
        int exactTotalUpTo,
        CancellationToken cancellationToken = default
    ) =>
        db.TotalAndPageAsync(
            catalogue,
            exactTotalUpTo,
            listed => PageAsync(db, listed, start, cancellationToken),
            cancellationToken
        );

    /// <summary>An event's place in catalogue order, as its cursor carries it.</summary>
    public static TimeAndId PositionOf(CommunityEvent e) => new(e.StartsAt, e.Id);

    /// <summary>
    /// Events after <paramref name="position"/> in catalogue order, (starts_at, id) &gt; (at, id): one index seek.
    /// </summary>
    public static IQueryable<CommunityEvent> After(IQueryable<CommunityEvent> events, TimeAndId position) =>
        events.Where(e =>
            EF.Functions.GreaterThan(ValueTuple.Create(e.StartsAt, e.Id), ValueTuple.Create(position.At, position.Id))
        );

    public static IQueryable<CommunityEvent> Visible(IQueryable<CommunityEvent> events, Caller caller) =>
        caller switch
        {
            { IsAdmin: true } => events,
            { UserId: { } id } => events.Where(e =>
                e.Visibility == Visibility.Public || e.OrganizerId == id || e.InvitedUserIds.Contains(id)
            ),
            _ => events.Where(e => e.Visibility == Visibility.Public),
        };

    /// <summary>
    /// Upcoming published events within <paramref name="radiusM"/> of a point, nearest first (ties by id).
    /// The GiST index on position is walked in distance order (<c>&lt;-&gt;</c>, which earth_distance grows
    /// with), so about <paramref name="limit"/> rows are read however dense the area; earth_box bounds the
    /// walk and earth_distance trims its corners. WITH TIES keeps rows as far as the last one, so the outer
    /// sort breaks ties by id as sorting every row in the radius would.
    /// </summary>
    /// <param name="hiddenOrganizers">Organizers whose events are left out, as for <see cref="Catalogue"/>.</param>
    public static IQueryable<NearbyRow> Nearby(
        EventsDbContext db,
        double latitude,
        double longitude,
        double radiusM,
        int limit,
        Caller caller,
        DateTimeOffset now,
        IReadOnlyCollection<Guid>? hiddenOrganizers = null
    ) => db.Database.SqlQuery<NearbyRow>(NearbySql(latitude, longitude, radiusM, limit, caller, now, hiddenOrganizers));

    /// <summary>The nearby SQL with its parameters, so tests can EXPLAIN exactly what the API runs.</summary>
    public static FormattableString NearbySql(
        double latitude,
        double longitude,
        double radiusM,
        int limit,
        Caller caller,
        DateTimeOffset now,
        IReadOnlyCollection<Guid>? hiddenOrganizers = null
    )
    {
        var hidden = hiddenOrganizers?.ToArray() ?? [];
        return $"""
            SELECT n.id, n.distance AS distance_m
            FROM (
                SELECT e.id, earth_distance(e.position, ll_to_earth({latitude}, {longitude})) AS distance
                FROM community_events e
                WHERE e.status = 'published'
                  AND e.ends_at > {now}
                  AND earth_box(ll_to_earth({latitude}, {longitude}), {radiusM}) @> e.position
                  AND earth_distance(e.position, ll_to_earth({latitude}, {longitude})) <= {radiusM}
                  AND ({caller.IsAdmin} OR e.visibility = 'public' OR e.organizer_id = {caller.UserId} OR
                      {caller.UserId} = ANY (e.invited_user_ids))
                  AND e.organizer_id <> ALL ({hidden})
                ORDER BY e.position <-> ll_to_earth({latitude}, {longitude})
                FETCH FIRST {limit} ROWS WITH TIES
            ) n
            ORDER BY n.distance, n.id
            LIMIT {limit}
            """;
    }
}
