using Community.Contracts;
using System.Security.Claims;
using Community.Contracts.Events;
using Community.Events.Catalogue;
using Community.Events.Data;
using Community.ServiceDefaults.Auth;
using Community.ServiceDefaults.Errors;
using Community.ServiceDefaults.Messaging;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Community.ServiceDefaults.Api;

namespace Community.Events.Registrations;

public sealed record CheckInRequest(double? Latitude, double? Longitude, string? TicketCode, string? QrPayload);

public sealed record CheckInDto(Guid RegistrationId, Guid EventId, Guid UserId, string TicketCode, DateTimeOffset ArrivedAt, double? DistanceM, bool AlreadyCheckedIn);

public sealed record TicketDto(Guid RegistrationId, Guid EventId, string TicketCode, string QrPayload, string EventTitle, DateTimeOffset StartsAt, string TimeZone);

public sealed record AttendeesQuery(string? Status, int? Page, int? Limit);

public sealed record EventStatsDto(
    Guid EventId, int? Capacity, int SeatsTaken, int? SpotsRemaining, IReadOnlyDictionary<string, int> Registrations,
    int Arrivals, long RevenueCents, string? Currency);

public static class RegistrationsApi
{
    private const int AttendeesDefaultLimit = 50;

    public static RouteGroupBuilder MapRegistrationsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/v1/events/{id:guid}").WithTags("Registrations").RequireAuthorization(Policies.Member);
        group.MapPost("/registrations", Register).WithName("Register")
            .WithSummary("Register: 201 confirmed (free), 402 seat held until paid, 202 waitlisted, 200 already registered")
            .ProducesProblem(402).ProducesProblem(409);
        group.MapGet("/registrations/me", GetMine).WithName("GetMyRegistration").WithSummary("My registration for this event");
        group.MapDelete("/registrations/me", CancelMine).WithName("CancelMyRegistration").WithSummary("Cancel my registration and free the seat");
        group.MapGet("/registrations/me/ticket", Ticket).WithName("GetMyTicket").WithSummary("My ticket code and its signed QR payload");
        group.MapPost("/check-in", CheckIn).WithName("CheckIn")
            .WithSummary("Check in at the venue (attendee inside the geofence), or any ticket by code (organizer)");
        group.MapGet("/attendees", Attendees).WithName("ListAttendees").WithSummary("Everyone registered (organizer or admin)");
        group.MapGet("/stats", Stats).WithName("EventStats").WithSummary("Registrations by status, arrivals, revenue (organizer or admin)");
        return group;
    }

    private static async Task<Results<Ok<RegistrationDto>, Created<RegistrationDto>, Accepted<RegistrationDto>>> Register(
        Guid id, ClaimsPrincipal principal, SeatBook seats, EventsDbContext db, CancellationToken cancellationToken)
    {
        var (registration, outcome) = await seats.RegisterAsync(id, principal.UserId(), cancellationToken);
        var location = $"/api/v1/events/{id}/registrations/me";
        switch (outcome)
        {
            case RegistrationOutcome.Confirmed:
                return TypedResults.Created(location, RegistrationDto.From(registration));
            case RegistrationOutcome.Held:
                throw HoldNeedsPayment(registration);
            case RegistrationOutcome.Waitlisted:
                return TypedResults.Accepted(location, RegistrationDto.From(registration, await WaitlistPositionAsync(db, registration, cancellationToken)));
            default:
                return TypedResults.Ok(RegistrationDto.From(registration, await WaitlistPositionAsync(db, registration, cancellationToken)));
        }
    }

    /// <summary>402 with what the client needs to start the checkout for the held seat.</summary>
    public static PaymentRequiredException HoldNeedsPayment(Registration hold) =>
        new("A seat is held for you until hold_expires_at; pay for it through POST /api/v1/payments/checkout.")
        {
            Extensions = new Dictionary<string, object?>
            {
                ["registration_id"] = hold.Id,
                ["event_id"] = hold.EventId,
                ["registration_status"] = hold.Status,
                ["price_cents"] = hold.AmountCents,
                ["currency"] = hold.Currency,
                ["hold_expires_at"] = hold.HoldExpiresAt,
                ["checkout"] = new Dictionary<string, object?> { ["purpose"] = PaymentPurposes.EventRegistration, ["reference_id"] = hold.Id },
            },
        };

    private static async Task<Ok<RegistrationDto>> GetMine(Guid id, ClaimsPrincipal principal, EventsDbContext db, CancellationToken cancellationToken)
    {
        await CatalogueApi.VisibleAsync(db, id, CatalogueApi.CallerOf(principal), cancellationToken);
        return TypedResults.Ok(await MineAsync(db, id, principal.UserId(), cancellationToken)
            ?? throw new NotFoundException("You have no registration for this event."));
    }

    private static async Task<Ok<RegistrationDto>> CancelMine(Guid id, ClaimsPrincipal principal, SeatBook seats, CancellationToken cancellationToken)
    {
        var registration = await seats.CancelAsync(id, principal.UserId(), cancellationToken);
        return TypedResults.Ok(RegistrationDto.From(registration));
    }

    private static async Task<Ok<TicketDto>> Ticket(
        Guid id, ClaimsPrincipal principal, EventsDbContext db, TicketSigner signer, CancellationToken cancellationToken)
    {
        var userId = principal.UserId();
        var e = await CatalogueApi.VisibleAsync(db, id, CatalogueApi.CallerOf(principal), cancellationToken);
        var registration = await db.Registrations.AsNoTracking()
            .FirstOrDefaultAsync(r => r.EventId == id && r.UserId == userId && r.Status == RegistrationStatus.Confirmed, cancellationToken)
            ?? throw new NotFoundException("You have no confirmed registration for this event, so no ticket.");
        var payload = await signer.SignAsync(new TicketClaims(registration.Id, id, userId, registration.TicketCode!), cancellationToken);
        return TypedResults.Ok(new TicketDto(registration.Id, id, registration.TicketCode!, payload, e.Title, e.StartsAt, e.TimeZone));
    }

    private static async Task<Ok<CheckInDto>> CheckIn(
        Guid id, CheckInRequest request, ClaimsPrincipal principal, EventsDbContext db, TicketSigner signer, TimeProvider clock,
        IOptions<EventsOptions> options, CancellationToken cancellationToken)
    {
        var caller = CatalogueApi.CallerOf(principal);
        var e = await CatalogueApi.VisibleAsync(db, id, caller, cancellationToken);
        var byOrganizer = e.IsManagedBy(caller.UserId!.Value, caller.IsAdmin) && (request.TicketCode is not null || request.QrPayload is not null);

        var errors = new ValidationErrors();
        string? code = null;
        if (request.QrPayload is { } payload)
        {
            var claims = await signer.VerifyAsync(payload.Trim(), cancellationToken);
            if (claims is null || claims.EventId != id) errors.Add("qr_payload", "qr_payload is not a genuine ticket for this event.");
            else code = claims.TicketCode;
        }
        else if (request.TicketCode is { } typed)
        {
            code = TicketCodes.Normalize(typed);
            if (!TicketCodes.LooksValid(code)) errors.Add("ticket_code", "ticket_code looks like EVT- followed by 10 letters and digits.");
        }
        if (!byOrganizer)
        {
            if (request.Latitude is not { } lat || !double.IsFinite(lat) || lat is < -90 or > 90) errors.Add("latitude", "latitude is required, between -90 and 90.");
            if (request.Longitude is not { } lon || !double.IsFinite(lon) || lon is < -180 or > 180) errors.Add("longitude", "longitude is required, between -180 and 180.");
        }
        errors.ThrowIfAny();

        if (e.Status != EventStatus.Published) throw new ConflictException("This event is not taking place; nobody can check in.");
        var now = Catalogue.EventRules.AsStored(clock.GetUtcNow());
        var opens = e.StartsAt - options.Value.CheckInOpensBefore;
        if (now < opens || now > e.EndsAt)
            throw new BusinessRuleException($"Check-in is open from {opens:u} to {e.EndsAt:u}.")
            {
                Extensions = new Dictionary<string, object?> { ["check_in_opens_at"] = opens, ["check_in_closes_at"] = e.EndsAt },
            };

        var registration = byOrganizer
            ? await db.Registrations.FirstOrDefaultAsync(r => r.EventId == id && r.TicketCode == code, cancellationToken)
                ?? throw new NotFoundException("No ticket of this event has this code.")
            : await db.Registrations.FirstOrDefaultAsync(r => r.EventId == id && r.UserId == caller.UserId && RegistrationStatus.Live.Contains(r.Status), cancellationToken)
                ?? throw new NotFoundException("You have no registration for this event.");
        if (registration.Status != RegistrationStatus.Confirmed)
            throw new ConflictException($"The registration is {registration.Status}, not confirmed; there is no ticket to check in.");
        if (!byOrganizer && code is not null && code != registration.TicketCode)
            throw new BusinessRuleException("This ticket code is not yours.");

        double? distance = null;
        if (!byOrganizer)
        {
            distance = Math.Round(Geo.DistanceM(e.Latitude, e.Longitude, request.Latitude!.Value, request.Longitude!.Value), 1);
            if (distance > e.GeofenceRadiusM)
                throw new BusinessRuleException($"You are {distance:0} m from the venue; check-in works within {e.GeofenceRadiusM} m.")
                {
                    Extensions = new Dictionary<string, object?> { ["distance_m"] = distance, ["geofence_radius_m"] = e.GeofenceRadiusM },
                };
        }

        // The first check-in wins (conditional update); a repeat, even a concurrent one, returns that same arrival.
        var already = true;
        if (registration.ArrivedAt is null)
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var first = await db.Registrations.Where(r => r.Id == registration.Id && r.ArrivedAt == null).ExecuteUpdateAsync(set => set
                .SetProperty(r => r.ArrivedAt, now).SetProperty(r => r.ArrivalDistanceM, distance)
                .SetProperty(r => r.CheckedInBy, caller.UserId).SetProperty(r => r.UpdatedAt, now), cancellationToken);
            if (first == 1)
            {
                db.AddIntegrationEvent(new ArrivalRecorded(Guid.NewGuid(), now, registration.Id, id, registration.UserId, now));
                await db.SaveChangesAsync(cancellationToken);
                already = false;
            }
            await transaction.CommitAsync(cancellationToken);
            await db.Entry(registration).ReloadAsync(cancellationToken);
        }
        return TypedResults.Ok(new CheckInDto(registration.Id, id, registration.UserId, registration.TicketCode!, registration.ArrivedAt!.Value,
            registration.ArrivalDistanceM, already));
    }

    private static async Task<Ok<PageOf<RegistrationDto>>> Attendees(
        Guid id, [AsParameters] AttendeesQuery query, ClaimsPrincipal principal, EventsDbContext db, CancellationToken cancellationToken)
    {
        await CatalogueApi.ManagedAsync(db, id, principal, cancellationToken);
        var errors = new ValidationErrors();
        var status = query.Status?.Trim().ToLowerInvariant();
        errors.OneOf("status", status, RegistrationStatus.All);
        var page = PageRequest.Read(query.Page, query.Limit, AttendeesDefaultLimit, errors);
        errors.ThrowIfAny();

        var registrations = db.Registrations.AsNoTracking().Where(r => r.EventId == id);
        if (status is not null) registrations = registrations.Where(r => r.Status == status);
        var total = await registrations.CountAsync(cancellationToken);
        var items = await registrations.OrderBy(r => r.Sequence).PageBy(page).ToListAsync(cancellationToken);
        return TypedResults.Ok(page.Of(items.Select(r => RegistrationDto.From(r)).ToList(), total));
    }

    private static async Task<Ok<EventStatsDto>> Stats(Guid id, ClaimsPrincipal principal, EventsDbContext db, CancellationToken cancellationToken)
    {
        var e = await CatalogueApi.ManagedAsync(db, id, principal, cancellationToken);
        var byStatus = await db.Registrations.Where(r => r.EventId == id).GroupBy(r => r.Status)
            .Select(g => new { Status = g.Key, Count = g.Count() }).ToListAsync(cancellationToken);
        var arrivals = await db.Registrations.CountAsync(r => r.EventId == id && r.ArrivedAt != null, cancellationToken);
        var revenue = await db.Registrations.Where(r => r.EventId == id && r.Status == RegistrationStatus.Confirmed && r.PaymentId != null)
            .SumAsync(r => r.AmountCents, cancellationToken);
        var counts = RegistrationStatus.All.ToDictionary(s => s, s => byStatus.FirstOrDefault(x => x.Status == s)?.Count ?? 0);
        return TypedResults.Ok(new EventStatsDto(id, e.Capacity, e.SeatsTaken, e.SpotsRemaining, counts, arrivals, revenue, e.Currency));
    }

    /// <summary>The caller's live registration for the event, else their latest one; null if they never registered.</summary>
    public static async Task<RegistrationDto?> MineAsync(EventsDbContext db, Guid eventId, Guid userId, CancellationToken cancellationToken)
    {
        var registration = await db.Registrations.AsNoTracking()
            .Where(r => r.EventId == eventId && r.UserId == userId)
            .OrderByDescending(r => RegistrationStatus.Live.Contains(r.Status)).ThenByDescending(r => r.Sequence)
            .FirstOrDefaultAsync(cancellationToken);
        return registration is null ? null : RegistrationDto.From(registration, await WaitlistPositionAsync(db, registration, cancellationToken));
    }

    private static async Task<int?> WaitlistPositionAsync(EventsDbContext db, Registration registration, CancellationToken cancellationToken) =>
        registration.Status != RegistrationStatus.Waitlisted ? null
            : await db.Registrations.CountAsync(r => r.EventId == registration.EventId && r.Status == RegistrationStatus.Waitlisted
                && r.Sequence <= registration.Sequence, cancellationToken);
}
