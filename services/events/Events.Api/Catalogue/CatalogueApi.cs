using System.ComponentModel;
using System.Security.Claims;
using System.Text.Json.Nodes;
using Community.Contracts;
using Community.Contracts.Events;
using Community.Events.Photos;
using Community.Events.Users;
using Community.ServiceDefaults.Api;
using Community.ServiceDefaults.Auth;
using Community.ServiceDefaults.Blobs;
using Community.ServiceDefaults.Errors;
using Community.ServiceDefaults.OpenApi;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using static Community.Events.Catalogue.CatalogueAccess;

namespace Community.Events.Catalogue;

public static partial class CatalogueApi
{
    /// <summary>The longest reason a cancellation takes, once trimmed.</summary>
    public const int MaxCancellationReasonLength = 500;

    public static RouteGroupBuilder MapCatalogueApi(this IEndpointRouteBuilder routes)
    {
        var group = routes
            .MapGroup("/api/v1/events")
            .DescribesPathParameter("id", "The event's id.")
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
            .WithDescription(
                "409 for a cancelled event, and for a published one that has ended (an admin's change excepted): it "
                    + "stays as it took place. An event under way may keep its past start as it is and run longer; a "
                    + "changed ends_at must be in the future."
            )
            .Accepts<EventInput>("application/json")
            .ProducesProblem(StatusCodes.Status409Conflict);
        group
            .MapDelete("/{id:guid}", Delete)
            .WithName("DeleteEvent")
            .WithSummary("Delete a draft, or cancel a published event")
            .ProducesProblem(StatusCodes.Status409Conflict);
        group
            .MapGet("", List)
            .AllowAnonymousWithOptionalToken()
            .WithName("ListEvents")
            .WithSummary("Browse published events (anonymous: public ones)");
        group
            .MapGet("/nearby", Nearby)
            .AllowAnonymousWithOptionalToken()
            .WithName("NearbyEvents")
            .WithSummary("Upcoming events within radius_km, nearest first");
        group
            .MapGet("/my", Mine)
            .WithName("MyEvents")
            .WithSummary("Events I created and events I joined")
            .WithDescription(
                "Each list latest start first, at most 200 events; created_has_more and joined_has_more say whether "
                    + "those starting earliest were left out, and created_next_cursor and joined_next_cursor read them "
                    + "(as cursor of GET /api/v1/events/my/created and /my/joined)."
            );
        group
            .MapGet("/my/created", MineCreated)
            .WithName("MyCreatedEvents")
            .WithSummary("Events I organize, drafts included, latest start first, a page at a time")
            .WithDescription(MyPagesDescription);
        group
            .MapGet("/my/joined", MineJoined)
            .WithName("MyJoinedEvents")
            .WithSummary(
                "Events I hold a live registration for (waitlist included), with it, latest start first, a page at a "
                    + "time"
            )
            .WithDescription(MyPagesDescription);
        group
            .MapGet("/{id:guid}", Get)
            .AllowAnonymousWithOptionalToken()
            .WithName("GetEvent")
            .AnswersETag()
            .WithSummary("Event details, with my registration when signed in");
        group
            .MapGet("/{id:guid}.ics", Calendar)
            .AllowAnonymousWithOptionalToken()
            .WithName("GetEventCalendar")
            .WithSummary("The event as an iCalendar file")
            .ProducesFile("text/calendar");
        return group;
    }

    private const string MyPagesDescription =
        "Ordered by start, then id. A cursor is the position (start, id) of the last event of its page: an event whose "
        + "start moves while the pages are read may be listed twice or not at all, so a client keeps each id once.";

    private static async Task<Created<EventDto>> Create(
        JsonObject body,
        ClaimsPrincipal principal,
        EventsDbContext db,
        TimeProvider clock,
        IOptions<JsonOptions> json,
        CancellationToken cancellationToken
    )
    {
        var now = UtcTimestamps.AsStored(clock.GetUtcNow());
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
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // Profile rows held until the commit: an event of an account erased meanwhile would outlive its erasure
        // (OrganizerEventsEraser), and an erased invitee is left out, as their erasure takes them out of every list.
        var erased = await ErasedAccounts.AmongAsync(db, [e.OrganizerId, .. e.InvitedUserIds], cancellationToken);
        if (erased.Contains(e.OrganizerId))
            throw new ForbiddenException(ErasedAccounts.Deleted);
        e.InvitedUserIds.RemoveAll(erased.Contains);
        db.CommunityEvents.Add(e);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
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
        // Who may publish answers first (404, 403); then the row is locked and read again, as Update does: the
        // announcement carries the draft as it is at the commit (an edit committed meanwhile, making it private, is
        // not announced as public), and of two publishes at once only one announces it.
        await ManagedAsync(db, id, principal, cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var e = await LockedManagedAsync(db, id, principal, cancellationToken);
        if (e.Status == EventStatus.Cancelled)
            throw new ConflictException("A cancelled event cannot be published again.");
        var now = UtcTimestamps.AsStored(clock.GetUtcNow());
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
                    TimeZone = e.TimeZone,
                }
            );
            await SaveGuardedAsync(db, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
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
        // Who may change the event answers first (404, 403), as without If-Match: a 412 would tell anyone it exists.
        var seen = await ManagedAsync(db, id, principal, cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // The invitees' profile rows before the event's row, the order their erasure takes them in: one erased
        // meanwhile is left out, one erased after finds their id here and takes it out (RegistrationEraser).
        var erasedInvitees = await ErasedAccounts.AmongAsync(
            db,
            InviteesNamedIn(body, seen.OrganizerId),
            cancellationToken
        );
        // Then the row is locked and read again, so the change applies to the version If-Match named, and to what
        // happened meanwhile: a seat taken fixes the price and refund terms, a cover uploaded is not overwritten.
        var e = await LockedManagedAsync(
            db,
            id,
            principal,
            cancellationToken,
            whileLocked: () => db.CheckIfMatchAsync<CommunityEvent>(http.Request, id, cancellationToken)
        );
        if (e.Status == EventStatus.Cancelled)
            throw new ConflictException("A cancelled event cannot be changed.");
        var now = UtcTimestamps.AsStored(clock.GetUtcNow());
        // As it cannot be cancelled: a later end would make it cancellable again (every ticket refunded), a cover the
        // moderators took off could come back. An admin still may (taking abusive words off a past event).
        if (!principal.IsInRole(Roles.Admin))
            CancellationRules.ThrowIfOver(e, now);
        var uploadedCover = e.CoverImageKey;

        var merged = JsonMergePatch.Overlay(EventRules.ToInput(e), body, json.Value.SerializerOptions);
        var input = JsonMergePatch.Read<EventInput>(merged, json.Value.SerializerOptions);
        if (erasedInvitees.Count > 0)
            input = input with { InvitedUserIds = [.. input.InvitedUserIds!.Where(u => !erasedInvitees.Contains(u))] };

        // An erased account's ticket counts as its registration did: its money stays in the stats (erased_tickets).
        var ticketsPaidIn = await db
            .Database.SqlQuery<string>(
                $"""
                SELECT currency AS "Value" FROM registrations
                WHERE event_id = {id} AND payment_id IS NOT NULL AND currency IS NOT NULL
                    AND amount_cents > refunded_cents
                UNION ALL
                SELECT currency FROM erased_tickets
                WHERE event_id = {id} AND currency IS NOT NULL AND amount_cents > refunded_cents
                """
            )
            .FirstOrDefaultAsync(cancellationToken);
        // Read after the lock: a batch that waitlisted someone committed before it (it holds the row while it writes).
        var someoneWaits =
            e.SeatsTaken == 0
            && await db.Registrations.AnyAsync(
                r => r.EventId == id && r.Status == RegistrationStatus.Waitlisted,
                cancellationToken
            );
        var changed = EventRules.Apply(
            input,
            e,
            now,
            startMayBePast: input.StartsAt is { } starts && UtcTimestamps.AsStored(starts) == e.StartsAt,
            ticketsPaidIn,
            someoneWaits
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
            await transaction.CommitAsync(cancellationToken);
            if (uploadedCover is not null && e.CoverImageKey is null)
                await blobs.TryDeleteAsync(uploadedCover, loggers.CreateLogger(typeof(CatalogueApi)));
        }
        EntityTag.Set(http.Response, e.Version);
        return TypedResults.Ok(EventDto.From(e, manager: true));
    }

    private static async Task<NoContent> Delete(
        Guid id,
        [Description("Why a published event is cancelled, shown as its cancellation_reason: at most 500 characters.")]
            string? reason,
        ClaimsPrincipal principal,
        EventsDbContext db,
        IBlobStore blobs,
        ILoggerFactory loggers,
        TimeProvider clock,
        CancellationToken cancellationToken
    )
    {
        var errors = new ValidationErrors();
        reason = errors.OptionalText("reason", reason, MaxCancellationReasonLength);
        errors.ThrowIfAny();
        var seen = await ManagedAsync(db, id, principal, cancellationToken);
        // Then locked and read again, as Update does: a cancellation committed meanwhile (a second request's, the
        // moderators') keeps its reason and is announced once.
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var e = await LockedManagedAsync(db, id, principal, cancellationToken);
        var now = UtcTimestamps.AsStored(clock.GetUtcNow());
        // As the account eraser and a moderators' removal leave past events alone.
        CancellationRules.ThrowIfOver(e, now);
        IReadOnlyList<string> photoBlobs = [];
        switch (seen.Status)
        {
            case EventStatus.Draft:
                // Still a draft once locked, or 409: a publish since the first read must not be hard-deleted.
                photoBlobs = await PhotoQueries.LockDraftBlobKeysAsync(db, e.Id, cancellationToken);
                db.CommunityEvents.Remove(e);
                break;
            case EventStatus.Published when e.Status == EventStatus.Published:
                await CancellationRules.CancelAsync(db, e, now, reason, cancellationToken);
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

    /// <summary>
    /// The invitees a change names: none when it keeps the list or names more than may be invited (refused later),
    /// and never the organizer, whose own erasure locks the event's row before their profile row.
    /// </summary>
    private static List<Guid> InviteesNamedIn(JsonObject body, Guid organizerId) =>
        body["invited_user_ids"] is JsonArray { Count: <= EventRules.MaxInvited } ids
            ?
            [
                .. ids.Select(x => x is JsonValue v && v.TryGetValue(out Guid u) ? u : (Guid?)null)
                    .OfType<Guid>()
                    .Where(u => u != organizerId),
            ]
            : [];

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
}
