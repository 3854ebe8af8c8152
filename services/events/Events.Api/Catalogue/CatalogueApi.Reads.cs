using System.ComponentModel;
using System.Security.Claims;
using Community.Events.Registrations;
using Community.ServiceDefaults.Api;
using Community.ServiceDefaults.Auth;
using Community.ServiceDefaults.Errors;
using Community.ServiceDefaults.OpenApi;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using static Community.Events.Catalogue.CatalogueAccess;
using static Community.Events.Catalogue.PageLimits;
using FromQueryAttribute = Microsoft.AspNetCore.Mvc.FromQueryAttribute;

namespace Community.Events.Catalogue;

public sealed record MyEventsQuery(string? Cursor, [PageSize(Keyset.DefaultLimit)] int? Limit);

// Query keys are snake_case like the JSON; binding matches parameter names only, so two-word ones are named here.
/// <param name="City">Events in this city (any case).</param>
/// <param name="Country">Events in this country: its ISO 3166 code (any case).</param>
/// <param name="Region">Events in this region (any case).</param>
/// <param name="Interest">Events tagged with this interest (any case).</param>
/// <param name="Q">Words to find in the title and description (web-search syntax: "quoted phrase", -without, or);
/// at most 200 characters.</param>
/// <param name="Price">free: free events only; paid: paid ones only.</param>
public sealed record CatalogueQuery(
    string? City,
    string? Country,
    string? Region,
    [property: Description("Events of this type.")]
    [FromQuery(Name = "event_type"), ValuesOf(typeof(EventTypes))]
        string? EventType,
    string? Interest,
    string? Q,
    [property: Description("Events starting at or after this instant; without it, the upcoming and ongoing ones.")]
    [FromQuery(Name = "starts_after")]
        DateTimeOffset? StartsAfter,
    [property: Description("Events starting before this instant (after starts_after).")]
    [FromQuery(Name = "starts_before")]
        DateTimeOffset? StartsBefore,
    [ValuesOf(typeof(CatalogueApi), nameof(CatalogueApi.PriceFilters))] string? Price,
    int? Page,
    [PageSize(DefaultLimit)] int? Limit,
    string? Cursor
);

/// <param name="Lat">Latitude of the centre, -90 to 90.</param>
/// <param name="Lon">Longitude of the centre, -180 to 180.</param>
public sealed record NearbyQuery(
    [RequiredParameter] double? Lat,
    [RequiredParameter] double? Lon,
    [property: Description(
        "How far from the centre, in km: above 0, 10 by default, at most 100 unless configured otherwise "
            + "(Events:MaxNearbyRadiusKm)."
    )]
    [FromQuery(Name = "radius_km")]
        double? RadiusKm,
    [PageSize(NearbyDefaultLimit, Paged = false)] int? Limit
);

/// <summary>Reading events: the catalogue, nearby, one event, its calendar file, and the caller's own.</summary>
public static partial class CatalogueApi
{
    /// <summary>The catalogue's price filter: free events only, or paid ones.</summary>
    public static readonly IReadOnlyList<string> PriceFilters = ["free", Paid];

    private const string Paid = "paid";

    private static async Task<Ok<PageOf<EventDto>>> List(
        [AsParameters] CatalogueQuery query,
        ClaimsPrincipal principal,
        EventsDbContext db,
        TimeProvider clock,
        IOptions<EventsOptions> options,
        CancellationToken cancellationToken
    )
    {
        var errors = new ValidationErrors();
        var start = NumberedCursor.Read(query.Page, query.Limit, query.Cursor, DefaultLimit, TimeAndId.Parse, errors);
        var type = query.EventType?.Trim().ToLowerInvariant();
        errors.OneOf("event_type", type, EventTypes.All);
        var price = query.Price?.Trim().ToLowerInvariant() is { Length: > 0 } asked ? asked : null;
        bool? paid = errors.OneOf("price", price, PriceFilters) && price is not null ? price == Paid : null;
        if (query.StartsAfter is { } after && query.StartsBefore is { } before && before <= after)
            errors.Add("starts_before", "starts_before must be after starts_after.");
        errors.MaxLength("q", query.Q, 200);
        errors.ThrowIfAny();

        // Npgsql writes timestamptz from UTC values only; "+02:00" in the query is the same instant.
        var filter = new CatalogueFilter(
            FieldRules.Trimmed(query.City),
            FieldRules.Trimmed(query.Country)?.ToUpperInvariant(),
            FieldRules.Trimmed(query.Region),
            type,
            FieldRules.Trimmed(query.Interest)?.ToLowerInvariant(),
            FieldRules.Trimmed(query.Q),
            query.StartsAfter?.ToUniversalTime(),
            query.StartsBefore?.ToUniversalTime(),
            paid
        );
        var caller = CallerOf(principal);
        var hidden = await HiddenOrganizersAsync(db, caller, cancellationToken);
        var now = clock.GetUtcNow();
        var earliestStart = filter.StartsAfter is null
            ? await CatalogueQueries.EarliestStartAsync(db, now, cancellationToken)
            : now;
        var events = CatalogueQueries.Catalogue(db, filter, caller, now, earliestStart, hidden);
        var (total, rows) = await CatalogueQueries.ListAsync(
            db,
            events,
            start,
            options.Value.ExactTotalUpTo,
            cancellationToken
        );
        return TypedResults.Ok(
            start.Page.Of(
                rows,
                total,
                e => CatalogueQueries.PositionOf(e).ToString(),
                e => EventDto.From(e, e.IsManagedBy(caller.UserId ?? Guid.Empty, caller.IsAdmin))
            )
        );
    }

    private static async Task<Ok<NearbyResult>> Nearby(
        [AsParameters] NearbyQuery query,
        ClaimsPrincipal principal,
        EventsDbContext db,
        TimeProvider clock,
        IOptions<EventsOptions> options,
        CancellationToken cancellationToken
    )
    {
        var errors = new ValidationErrors();
        if (query.Lat is not { } lat || !double.IsFinite(lat) || lat is < -90 or > 90)
            errors.Add("lat", "lat is required, between -90 and 90.");
        if (query.Lon is not { } lon || !double.IsFinite(lon) || lon is < -180 or > 180)
            errors.Add("lon", "lon is required, between -180 and 180.");
        var maxRadius = options.Value.MaxNearbyRadiusKm;
        var radiusKm = query.RadiusKm ?? 10;
        if (!double.IsFinite(radiusKm) || radiusKm <= 0 || radiusKm > maxRadius)
            errors.Add("radius_km", $"radius_km must be above 0 and at most {maxRadius}.");
        var limit = PageRequest.ReadLimit(query.Limit, NearbyDefaultLimit, errors);
        errors.ThrowIfAny();

        var caller = CallerOf(principal);
        // The rows, then the events they name, from one snapshot: an event made private or cancelled between the two
        // reads would be shown as the first read found it fit to be.
        var (rows, events) = await db.InSnapshotAsync(
            async () =>
            {
                var hidden = await HiddenOrganizersAsync(db, caller, cancellationToken);
                var now = clock.GetUtcNow();
                var found = await CatalogueQueries
                    .Nearby(db, query.Lat!.Value, query.Lon!.Value, radiusKm * 1000, limit, caller, now, hidden)
                    .ToListAsync(cancellationToken);
                var ids = found.Select(r => r.Id).ToList();
                var byId = await db
                    .CommunityEvents.AsNoTracking()
                    .Where(e => ids.Contains(e.Id))
                    .ToDictionaryAsync(e => e.Id, cancellationToken);
                return (found, byId);
            },
            cancellationToken
        );
        var items = rows.Where(r => events.ContainsKey(r.Id))
            .Select(r =>
                EventDto.From(events[r.Id], events[r.Id].IsManagedBy(caller.UserId ?? Guid.Empty, caller.IsAdmin)) with
                {
                    DistanceM = Math.Round(r.DistanceM, 1),
                }
            )
            .ToList();
        return TypedResults.Ok(new NearbyResult(items, query.Lat!.Value, query.Lon!.Value, radiusKm));
    }

    private static async Task<Ok<EventDto>> Get(
        Guid id,
        ClaimsPrincipal principal,
        EventsDbContext db,
        HttpResponse response,
        CancellationToken cancellationToken
    )
    {
        var caller = CallerOf(principal);
        if (caller.UserId is not { } userId)
        {
            var seen = await VisibleAsync(db, id, caller, cancellationToken);
            EntityTag.Set(response, seen.Version);
            return TypedResults.Ok(EventDto.From(seen, caller.IsAdmin) with { IsRegistered = false });
        }
        // The event (its seats taken) and my registration from one snapshot: a registration or a cancellation
        // committing between the two reads would count my seat without showing it, or the other way round.
        var (e, mine) = await db.InSnapshotAsync(
            async () =>
            {
                var e = await VisibleAsync(db, id, caller, cancellationToken);
                return (e, await RegistrationQueries.MineAsync(db, id, userId, cancellationToken));
            },
            cancellationToken
        );
        EntityTag.Set(response, e.Version);
        var dto = EventDto.From(e, e.IsManagedBy(userId, caller.IsAdmin));
        return TypedResults.Ok(
            dto with
            {
                IsRegistered = mine is not null && RegistrationStatus.Live.Contains(mine.Status),
                MyRegistration = mine,
            }
        );
    }

    private static async Task<FileContentHttpResult> Calendar(
        Guid id,
        ClaimsPrincipal principal,
        EventsDbContext db,
        TimeProvider clock,
        HttpResponse response,
        CancellationToken cancellationToken
    )
    {
        var e = await VisibleAsync(db, id, CallerOf(principal), cancellationToken);
        var body = System.Text.Encoding.UTF8.GetBytes(ICalendar.Build(e, clock.GetUtcNow()));
        // the organizer's words, served from the API's origin: never taken for anything but a calendar
        response.Headers.XContentTypeOptions = "nosniff";
        return TypedResults.File(body, "text/calendar; charset=utf-8", $"event-{e.Id}.ics");
    }

    private static async Task<Ok<MyEventsDto>> Mine(
        ClaimsPrincipal principal,
        EventsDbContext db,
        CancellationToken cancellationToken
    )
    {
        var userId = principal.UserId();
        var created = await CreatedAsync(db, userId, null, MyEventsDto.Limit, cancellationToken);
        var joined = await JoinedAsync(db, userId, null, MyEventsDto.Limit, cancellationToken);
        return TypedResults.Ok(
            new MyEventsDto(
                created.Items,
                joined.Items,
                created.NextCursor is not null,
                joined.NextCursor is not null,
                created.NextCursor,
                joined.NextCursor
            )
        );
    }

    private static async Task<Ok<CursorPage<EventDto>>> MineCreated(
        [AsParameters] MyEventsQuery query,
        ClaimsPrincipal principal,
        EventsDbContext db,
        CancellationToken cancellationToken
    ) =>
        TypedResults.Ok(
            await MinePageAsync(
                query,
                (after, limit) => CreatedAsync(db, principal.UserId(), after, limit, cancellationToken)
            )
        );

    private static async Task<Ok<CursorPage<EventDto>>> MineJoined(
        [AsParameters] MyEventsQuery query,
        ClaimsPrincipal principal,
        EventsDbContext db,
        CancellationToken cancellationToken
    ) =>
        TypedResults.Ok(
            await MinePageAsync(
                query,
                (after, limit) => JoinedAsync(db, principal.UserId(), after, limit, cancellationToken)
            )
        );

    /// <summary>The page of my list <paramref name="query"/> asks for; a bad limit or cursor is a 400.</summary>
    private static Task<CursorPage<EventDto>> MinePageAsync(
        MyEventsQuery query,
        Func<TimeAndId?, int, Task<CursorPage<EventDto>>> read
    )
    {
        var errors = new ValidationErrors();
        var limit = Keyset.Limit(query.Limit, errors);
        var after = Keyset.After(query.Cursor, TimeAndId.Parse, errors);
        errors.ThrowIfAny();
        return read(after, limit);
    }

    /// <summary>The events the user organizes, drafts included, latest start first (then by id).</summary>
    private static async Task<CursorPage<EventDto>> CreatedAsync(
        EventsDbContext db,
        Guid userId,
        TimeAndId? after,
        int limit,
        CancellationToken cancellationToken
    )
    {
        var created = await db
            .CommunityEvents.AsNoTracking()
            .Where(e => e.OrganizerId == userId)
            .StartingBefore(after)
            .OrderByDescending(e => e.StartsAt)
            .ThenByDescending(e => e.Id)
            .Take(Keyset.Probe(limit))
            .ToListAsync(cancellationToken);
        return Keyset.Page(
            created,
            limit,
            e => TimeAndId.Format(e.StartsAt, e.Id),
            e => EventDto.From(e, manager: true)
        );
    }

    /// <summary>The events the user holds a live registration for, with it, latest start first (then by id).</summary>
    private static async Task<CursorPage<EventDto>> JoinedAsync(
        EventsDbContext db,
        Guid userId,
        TimeAndId? after,
        int limit,
        CancellationToken cancellationToken
    )
    {
        var joined = await RegistrationQueries.JoinedAsync(db, userId, after, Keyset.Probe(limit), cancellationToken);
        return Keyset.Page(
            joined,
            limit,
            j => TimeAndId.Format(j.Event.StartsAt, j.Event.Id),
            j =>
                EventDto.From(j.Event, j.Event.OrganizerId == userId) with
                {
                    IsRegistered = RegistrationStatus.Live.Contains(j.Registration.Status),
                    MyRegistration = j.Registration,
                }
        );
    }
}
