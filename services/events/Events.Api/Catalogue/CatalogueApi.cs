using System.Security.Claims;
using System.Text.Json.Nodes;
using Community.Contracts.Events;
using Community.Events.Photos;
using Community.Events.Registrations;
using Community.ServiceDefaults.Api;
using Community.ServiceDefaults.Auth;
using Community.ServiceDefaults.Blobs;
using Community.ServiceDefaults.Errors;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using static Community.Events.Catalogue.CatalogueAccess;
using static Community.Events.Catalogue.PageLimits;
using FromQueryAttribute = Microsoft.AspNetCore.Mvc.FromQueryAttribute;

namespace Community.Events.Catalogue;

// Query keys are snake_case like the JSON; binding matches parameter names only, so two-word ones are named here.
public sealed record CatalogueQuery(
    string? City,
    string? Country,
    string? Region,
    [FromQuery(Name = "event_type")] string? EventType,
    string? Interest,
    string? Q,
    [FromQuery(Name = "starts_after")] DateTimeOffset? StartsAfter,
    [FromQuery(Name = "starts_before")] DateTimeOffset? StartsBefore,
    string? Price,
    int? Page,
    int? Limit,
    string? Cursor
);

public sealed record NearbyQuery(
    double? Lat,
    double? Lon,
    [FromQuery(Name = "radius_km")] double? RadiusKm,
    int? Limit
);

public static class CatalogueApi
{
    public static RouteGroupBuilder MapCatalogueApi(this IEndpointRouteBuilder routes)
    {
        var group = routes
            .MapGroup("/api/v1/events")
            .WithTags("Events")
            .RequireAuthorization(Policies.Member)
            .WithStandardProblems();
        group
            .MapPost("", Create)
            .RequireAuthorization(Policies.Organizer)
            .WithName("CreateEvent")
            .WithSummary("Create a draft event (organizer or admin)")
            .Accepts<EventInput>("application/json");
        group
            .MapPost("/{id:guid}/publish", Publish)
            .WithName("PublishEvent")
            .WithSummary("Publish a draft (owner or admin)")
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        group
            .MapPatch("/{id:guid}", Update)
            .WithName("UpdateEvent")
            .HonoursIfMatch()
            .WithSummary("Change an event (JSON merge: absent keeps, null clears)")
            .Accepts<EventInput>("application/json")
            .ProducesProblem(StatusCodes.Status409Conflict);
        group
            .MapDelete("/{id:guid}", Delete)
            .WithName("DeleteEvent")
            .WithSummary("Delete a draft, or cancel a published event")
            .ProducesProblem(StatusCodes.Status409Conflict);
        group
            .MapGet("", List)
            .AllowAnonymous()
            .WithName("ListEvents")
            .WithSummary("Browse published events (anonymous: public ones)");
        group
            .MapGet("/nearby", Nearby)
            .AllowAnonymous()
            .WithName("NearbyEvents")
            .WithSummary("Upcoming events within radius_km, nearest first");
        group.MapGet("/my", Mine).WithName("MyEvents").WithSummary("Events I created and events I joined");
        group
            .MapGet("/{id:guid}", Get)
            .AllowAnonymous()
            .WithName("GetEvent")
            .AnswersETag()
            .WithSummary("Event details, with my registration when signed in");
        group
            .MapGet("/{id:guid}.ics", Calendar)
            .AllowAnonymous()
            .WithName("GetEventCalendar")
            .WithSummary("The event as an iCalendar file")
            .ProducesFile("text/calendar");
        return group;
    }

    private static async Task<Created<EventDto>> Create(
        JsonObject body,
        ClaimsPrincipal principal,
        EventsDbContext db,
        TimeProvider clock,
        IOptions<JsonOptions> json,
        CancellationToken cancellationToken
    )
    {
        var now = EventRules.AsStored(clock.GetUtcNow());
        var e = new CommunityEvent
        {
            Id = NewId.Next(now),
            OrganizerId = principal.UserId(),
            CreatedAt = now,
            UpdatedAt = now,
        };
        EventRules.Apply(
            JsonMergePatch.Read<EventInput>(body, json.Value.SerializerOptions),
            e,
            now,
            startMayBePast: false
        );
        db.CommunityEvents.Add(e);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Created($"/api/v1/events/{e.Id}", EventDto.From(e, manager: true));
    }

    private static async Task<Ok<EventDto>> Publish(
        Guid id,
        ClaimsPrincipal principal,
        EventsDbContext db,
        TimeProvider clock,
        CancellationToken cancellationToken
    )
    {
        var e = await ManagedAsync(db, id, principal, cancellationToken);
        if (e.Status == EventStatus.Cancelled)
            throw new ConflictException("A cancelled event cannot be published again.");
        var now = EventRules.AsStored(clock.GetUtcNow());
        if (e.Status == EventStatus.Draft)
        {
            if (e.EndsAt <= now)
                throw new BusinessRuleException("This event is already over; change its dates before publishing.");
            e.Status = EventStatus.Published;
            e.PublishedAt = now;
            e.UpdatedAt = now;
            db.AddIntegrationEvent(
                new EventPublished(
                    Guid.CreateVersion7(),
                    now,
                    e.Id,
                    e.OrganizerId,
                    e.Title,
                    e.StartsAt,
                    e.EndsAt,
                    e.PriceCents,
                    e.Currency ?? ""
                )
                {
                    Visibility = e.Visibility,
                    Region = e.Region,
                    City = e.City,
                    Country = e.Country,
                    Interests = [.. e.Interests],
                }
            );
            await SaveGuardedAsync(db, cancellationToken);
        }
        return TypedResults.Ok(EventDto.From(e, manager: true));
    }

    private static async Task<Ok<EventDto>> Update(
        Guid id,
        JsonObject body,
        ClaimsPrincipal principal,
        EventsDbContext db,
        TimeProvider clock,
        IOptions<JsonOptions> json,
        IBlobStore blobs,
        ILoggerFactory loggers,
        HttpContext http,
        CancellationToken cancellationToken
    )
    {
        await using var precondition = await db.BeginIfMatchAsync<CommunityEvent>(http.Request, id, cancellationToken);
        var e = await ManagedAsync(db, id, principal, cancellationToken);
        if (e.Status == EventStatus.Cancelled)
            throw new ConflictException("A cancelled event cannot be changed.");
        var uploadedCover = e.CoverImageKey;
        var now = EventRules.AsStored(clock.GetUtcNow());

        var merged = JsonMergePatch.Overlay(EventRules.ToInput(e), body, json.Value.SerializerOptions);
        var input = JsonMergePatch.Read<EventInput>(merged, json.Value.SerializerOptions);

        var changed = EventRules.Apply(
            input,
            e,
            now,
            startMayBePast: input.StartsAt is { } starts && EventRules.AsStored(starts) == e.StartsAt
        );
        if (changed.Count > 0)
        {
            e.UpdatedAt = now;
            if (e.Status == EventStatus.Published)
                db.AddIntegrationEvent(
                    new EventUpdated(Guid.CreateVersion7(), now, e.Id, changed)
                    {
                        Title = e.Title,
                        Visibility = e.Visibility,
                    }
                );
            await SaveGuardedAsync(db, cancellationToken);
            if (precondition is not null)
                await precondition.CommitAsync(cancellationToken);
            if (uploadedCover is not null && e.CoverImageKey is null)
                await blobs.TryDeleteAsync(uploadedCover, loggers.CreateLogger(typeof(CatalogueApi)));
        }
        EntityTag.Set(http.Response, e.Version);
        return TypedResults.Ok(EventDto.From(e, manager: true));
    }

    private static async Task<NoContent> Delete(
        Guid id,
        string? reason,
        ClaimsPrincipal principal,
        EventsDbContext db,
        IBlobStore blobs,
        ILoggerFactory loggers,
        TimeProvider clock,
        CancellationToken cancellationToken
    )
    {
        var e = await ManagedAsync(db, id, principal, cancellationToken);
        var now = EventRules.AsStored(clock.GetUtcNow());
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        IReadOnlyList<string> photoBlobs = [];
        switch (e.Status)
        {
            case EventStatus.Draft:
                photoBlobs = await PhotoQueries.LockDraftBlobKeysAsync(db, e.Id, cancellationToken);
                db.CommunityEvents.Remove(e);
                break;
            case EventStatus.Published:
                // Registrations stay: the organizer still sees who was coming, and payments refunds from them.
                e.Status = EventStatus.Cancelled;
                e.CancelledAt = now;
                e.UpdatedAt = now;
                e.CancellationReason = string.IsNullOrWhiteSpace(reason)
                    ? null
                    : reason.Trim()[..Math.Min(reason.Trim().Length, 500)];
                db.AddIntegrationEvent(new EventCancelled(Guid.CreateVersion7(), now, e.Id, e.CancellationReason));
                break;
        }
        await SaveGuardedAsync(db, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        // The photo rows went by cascade; their files go after the commit, best-effort: a leftover file is a lesser
        // evil than an undone deletion.
        foreach (var key in photoBlobs)
            await blobs.TryDeleteAsync(key, loggers.CreateLogger(typeof(CatalogueApi)));
        return TypedResults.NoContent();
    }

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
        bool? paid = null;
        switch (query.Price?.Trim().ToLowerInvariant())
        {
            case null or "":
                break;
            case "free":
                paid = false;
                break;
            case "paid":
                paid = true;
                break;
            default:
                errors.Add("price", "price must be free or paid.");
                break;
        }
        if (query.StartsAfter is { } after && query.StartsBefore is { } before && before <= after)
            errors.Add("starts_before", "starts_before must be after starts_after.");
        errors.MaxLength("q", query.Q, 200);
        errors.ThrowIfAny();

        // Npgsql writes timestamptz from UTC values only; "+02:00" in the query is the same instant.
        var filter = new CatalogueFilter(
            Blank(query.City),
            Blank(query.Country)?.ToUpperInvariant(),
            Blank(query.Region),
            type,
            Blank(query.Interest)?.ToLowerInvariant(),
            Blank(query.Q),
            query.StartsAfter?.ToUniversalTime(),
            query.StartsBefore?.ToUniversalTime(),
            paid
        );
        var caller = CallerOf(principal);
        var now = clock.GetUtcNow();
        var earliestStart = filter.StartsAfter is null
            ? await CatalogueQueries.EarliestStartAsync(db, now, cancellationToken)
            : now;
        var events = CatalogueQueries.Catalogue(db, filter, caller, now, earliestStart);
        var (rows, total) = await CatalogueQueries.ListAsync(
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
        var limit = PageRequest.ReadLimit(query.Limit, 50, errors);
        errors.ThrowIfAny();

        var caller = CallerOf(principal);
        var rows = await CatalogueQueries
            .Nearby(db, query.Lat!.Value, query.Lon!.Value, radiusKm * 1000, limit, caller, clock.GetUtcNow())
            .ToListAsync(cancellationToken);
        var ids = rows.Select(r => r.Id).ToList();
        var events = await db
            .CommunityEvents.AsNoTracking()
            .Where(e => ids.Contains(e.Id))
            .ToDictionaryAsync(e => e.Id, cancellationToken);
        var items = rows.Where(r => events.ContainsKey(r.Id))
            .Select(r =>
                EventDto.From(events[r.Id], events[r.Id].IsManagedBy(caller.UserId ?? Guid.Empty, caller.IsAdmin)) with
                {
                    DistanceM = Math.Round(r.DistanceM, 1),
                }
            )
            .ToList();
        return TypedResults.Ok(new NearbyResult(items, query.Lat.Value, query.Lon.Value, radiusKm));
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
        var e = await VisibleAsync(db, id, caller, cancellationToken);
        EntityTag.Set(response, e.Version);
        var dto = EventDto.From(e, e.IsManagedBy(caller.UserId ?? Guid.Empty, caller.IsAdmin));
        if (caller.UserId is not { } userId)
            return TypedResults.Ok(dto with { IsRegistered = false });

        var mine = await RegistrationQueries.MineAsync(db, id, userId, cancellationToken);
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
        CancellationToken cancellationToken
    )
    {
        var e = await VisibleAsync(db, id, CallerOf(principal), cancellationToken);
        var body = System.Text.Encoding.UTF8.GetBytes(ICalendar.Build(e, clock.GetUtcNow()));
        return TypedResults.File(body, "text/calendar; charset=utf-8", $"event-{e.Id}.ics");
    }

    private static async Task<Ok<MyEventsDto>> Mine(
        ClaimsPrincipal principal,
        EventsDbContext db,
        CancellationToken cancellationToken
    )
    {
        var userId = principal.UserId();
        var created = await db
            .CommunityEvents.AsNoTracking()
            .Where(e => e.OrganizerId == userId)
            .OrderByDescending(e => e.StartsAt)
            .Take(200)
            .ToListAsync(cancellationToken);
        var joined = await RegistrationQueries.JoinedAsync(db, userId, 200, cancellationToken);
        return TypedResults.Ok(
            new MyEventsDto(
                created.Select(e => EventDto.From(e, manager: true)).ToList(),
                joined
                    .Select(j =>
                        EventDto.From(j.Event, j.Event.OrganizerId == userId) with
                        {
                            IsRegistered = RegistrationStatus.Live.Contains(j.Registration.Status),
                            MyRegistration = j.Registration,
                        }
                    )
                    .ToList()
            )
        );
    }

    /// <summary>
    /// Saves an edit; a seat taken meanwhile can make a lowered capacity invalid, which the database refuses.
    /// </summary>
    private static async Task SaveGuardedAsync(EventsDbContext db, CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException exception)
            when (exception.InnerException is Npgsql.PostgresException { SqlState: "23514" })
        {
            throw new ConflictException(
                "Registrations changed meanwhile; capacity cannot go below the seats taken. Reload and try again."
            );
        }
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
