using System.Security.Claims;
using Community.Contracts.Events;
using Community.Events.Catalogue;
using Community.Events.Users;
using Community.ServiceDefaults.Api;
using Community.ServiceDefaults.Auth;
using Community.ServiceDefaults.Errors;
using Community.ServiceDefaults.OpenApi;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Community.Events.Registrations;

public sealed record CheckInRequest(double? Latitude, double? Longitude, string? TicketCode, string? QrPayload);

/// <summary>A ticket checked in: whose, when, and whether it had been already.</summary>
/// <param name="RegistrationId">The registration checked in.</param>
/// <param name="EventId">The event.</param>
/// <param name="UserId">The ticket holder.</param>
/// <param name="Username">
/// The ticket holder's username as events last heard it (null until announced): what the door shows of whose ticket
/// it is.
/// </param>
/// <param name="FullName">The ticket holder's full name as events last heard it, if they gave one.</param>
/// <param name="TicketCode">The ticket's code.</param>
/// <param name="ArrivedAt">When the holder arrived: the first check-in.</param>
/// <param name="DistanceM">How far from the venue the holder checked in, in metres (null: the organizer did).</param>
/// <param name="AlreadyCheckedIn">Whether the ticket had been checked in before this request.</param>
public sealed record CheckInDto(
    Guid RegistrationId,
    Guid EventId,
    Guid UserId,
    string? Username,
    string? FullName,
    string TicketCode,
    DateTimeOffset ArrivedAt,
    double? DistanceM,
    bool AlreadyCheckedIn
);

public static class CheckInApi
{
    public static RouteGroupBuilder MapCheckInApi(this IEndpointRouteBuilder routes)
    {
        var group = routes
            .MapGroup("/api/v1/events/{id:guid}")
            .DescribesPathParameter("id", "The event's id.")
            .WithTags("Registrations")
            .RequireAuthorization(Policies.Member)
            .WithStandardProblems();
        group
            .MapPost("/check-in", CheckIn)
            .WithName("CheckIn")
            .WithSummary("Check in at the venue (attendee inside the geofence), or any ticket by code (organizer)")
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblemWith<CheckInRefusal>(StatusCodes.Status422UnprocessableEntity);
        return group;
    }

    private static async Task<Ok<CheckInDto>> CheckIn(
        Guid id,
        CheckInRequest request,
        ClaimsPrincipal principal,
        EventsDbContext db,
        TicketSigner signer,
        TimeProvider clock,
        IOptions<EventsOptions> options,
        CancellationToken cancellationToken
    )
    {
        var caller = CatalogueAccess.CallerOf(principal);
        var e = await CatalogueAccess.VisibleAsync(db, id, caller, cancellationToken);
        var byOrganizer =
            e.IsManagedBy(caller.UserId!.Value, caller.IsAdmin)
            && (request.TicketCode is not null || request.QrPayload is not null);

        var errors = new ValidationErrors();
        string? code = null;
        if (request.QrPayload is { } payload)
        {
            var claims = await signer.VerifyAsync(payload.Trim(), cancellationToken);
            if (claims is null || claims.EventId != id)
                errors.Add("qr_payload", "qr_payload is not a genuine ticket for this event.");
            else
                code = claims.TicketCode;
        }
        else if (request.TicketCode is { } typed)
        {
            code = TicketCodes.Normalize(typed);
            if (!TicketCodes.LooksValid(code))
                errors.Add("ticket_code", "ticket_code looks like EVT- followed by 10 letters and digits.");
        }
        if (!byOrganizer)
        {
            if (request.Latitude is not { } lat || !double.IsFinite(lat) || lat is < -90 or > 90)
                errors.Add("latitude", "latitude is required, between -90 and 90.");
            if (request.Longitude is not { } lon || !double.IsFinite(lon) || lon is < -180 or > 180)
                errors.Add("longitude", "longitude is required, between -180 and 180.");
        }
        errors.ThrowIfAny();

        if (e.Status != EventStatus.Published)
            throw new ConflictException("This event is not taking place; nobody can check in.");
        var now = UtcTimestamps.AsStored(clock.GetUtcNow());
        var opens = e.StartsAt - options.Value.CheckInOpensBefore;
        if (now < opens || now > e.EndsAt)
            throw new BusinessRuleException($"Check-in is open from {opens:u} to {e.EndsAt:u}.")
            {
                Extensions = ProblemResponses.MembersOf(
                    new CheckInRefusal(CheckInOpensAt: opens, CheckInClosesAt: e.EndsAt),
                    leaveOutNulls: true
                ),
            };

        var registration = byOrganizer
            ? await db.Registrations.FirstOrDefaultAsync(
                r => r.EventId == id && r.TicketCode == code,
                cancellationToken
            ) ?? throw new NotFoundException("No ticket of this event has this code.")
            : await db.Registrations.FirstOrDefaultAsync(
                r => r.EventId == id && r.UserId == caller.UserId && RegistrationStatus.Live.Contains(r.Status),
                cancellationToken
            ) ?? throw new NotFoundException("You have no registration for this event.");
        if (registration.Status != RegistrationStatus.Confirmed)
            throw NotConfirmed(registration);
        if (!byOrganizer && code is not null && code != registration.TicketCode)
            throw new BusinessRuleException("This ticket code is not yours.");

        double? distance = null;
        if (!byOrganizer)
        {
            distance = Math.Round(
                Geo.DistanceM(e.Latitude, e.Longitude, request.Latitude!.Value, request.Longitude!.Value),
                1
            );
            if (distance > e.GeofenceRadiusM)
                throw new BusinessRuleException(
                    $"You are {distance:0} m from the venue; check-in works within {e.GeofenceRadiusM} m."
                )
                {
                    Extensions = ProblemResponses.MembersOf(
                        new CheckInRefusal(DistanceM: distance, GeofenceRadiusM: e.GeofenceRadiusM),
                        leaveOutNulls: true
                    ),
                };
        }

        // The first check-in wins (conditional update); a repeat, even a concurrent one, returns that same arrival. A
        // registration cancelled or refunded since it was read above gets no arrival.
        var already = true;
        if (registration.ArrivedAt is null)
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            // The checker's id outlives no erasure: one under way clears it once this commits (RegistrationEraser),
            // one committed refuses it here. The gate before any row, as the erasure takes it.
            await ErasedAccounts.EnterGateThrowIfErasedAsync(db, caller.UserId.Value, cancellationToken);
            var first = await db
                .Registrations.Where(r =>
                    r.Id == registration.Id && r.ArrivedAt == null && r.Status == RegistrationStatus.Confirmed
                )
                .ExecuteUpdateAsync(
                    set =>
                        set.SetProperty(r => r.ArrivedAt, now)
                            .SetProperty(r => r.ArrivalDistanceM, distance)
                            .SetProperty(r => r.CheckedInBy, caller.UserId)
                            .SetProperty(r => r.UpdatedAt, now),
                    cancellationToken
                );
            if (first == 1)
            {
                // The event read above, now under its row's lock (the registration's first, the event's last, as
                // SeatBook orders them): a cancellation that committed since leaves no arrival, and one still under
                // way waits for this check-in as if it had come first.
                var status = await db
                    .Database.SqlQuery<string>(
                        $"SELECT status AS \"Value\" FROM community_events WHERE id = {id} FOR SHARE"
                    )
                    .SingleOrDefaultAsync(cancellationToken);
                if (status != EventStatus.Published)
                    throw new ConflictException("This event is not taking place; nobody can check in.");
                db.AddIntegrationEvent(
                    new ArrivalRecorded(Guid.CreateVersion7(), now, registration.Id, id, registration.UserId, now)
                );
                await db.SaveChangesAsync(cancellationToken);
                already = false;
            }
            await transaction.CommitAsync(cancellationToken);
            await db.Entry(registration).ReloadAsync(cancellationToken);
            // Nothing changed: a concurrent check-in came first (answered as a repeat), or it is no ticket any more.
            if (first == 0 && registration.Status != RegistrationStatus.Confirmed)
                throw NotConfirmed(registration);
            if (registration.ArrivedAt is null)
                throw new NotFoundException("This registration no longer exists."); // erased meanwhile
        }
        var holder = await db.Set<UserProfile>()
            .AsNoTracking()
            .FirstOrDefaultAsync(p => p.UserId == registration.UserId, cancellationToken);
        return TypedResults.Ok(
            new CheckInDto(
                registration.Id,
                id,
                registration.UserId,
                holder?.Username,
                holder?.FullName,
                registration.TicketCode!,
                registration.ArrivedAt!.Value,
                registration.ArrivalDistanceM,
                already
            )
        );
    }

    private static ConflictException NotConfirmed(Registration registration) =>
        new($"The registration is {registration.Status}, not confirmed; there is no ticket to check in.");
}

/// <summary>What a 422 of a check-in says beside its text: when check-in is open, or how far the caller is.</summary>
/// <param name="CheckInOpensAt">When check-in opens (the refusal of a check-in outside its window).</param>
/// <param name="CheckInClosesAt">When it closes: the event's end.</param>
/// <param name="DistanceM">
/// How far the caller is from the venue, in metres (the refusal of a check-in too far away).
/// </param>
/// <param name="GeofenceRadiusM">How close check-in needs the caller to be, in metres.</param>
public sealed record CheckInRefusal(
    DateTimeOffset? CheckInOpensAt = null,
    DateTimeOffset? CheckInClosesAt = null,
    double? DistanceM = null,
    int? GeofenceRadiusM = null
);
