using System.Globalization;
using System.Security.Claims;
using Community.Contracts;
using Community.Events.Catalogue;
using Community.ServiceDefaults.Api;
using Community.ServiceDefaults.Auth;
using Community.ServiceDefaults.Errors;
using Community.ServiceDefaults.OpenApi;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using static Community.Events.Registrations.RegistrationQueries;

namespace Community.Events.Registrations;

public sealed record TicketDto(
    Guid RegistrationId,
    Guid EventId,
    string TicketCode,
    string QrPayload,
    string EventTitle,
    DateTimeOffset StartsAt,
    string TimeZone
);

/// <param name="Status">Only registrations in this status; absent: all of them.</param>
public sealed record AttendeesQuery(
    [ValuesOf(typeof(RegistrationStatus))] string? Status,
    int? Page,
    [PageSize(RegistrationsApi.AttendeesDefaultLimit)] int? Limit,
    string? Cursor
);

/// <param name="Arrivals">Checked-in registrations that are still confirmed (one that arrived and was refunded later no
/// longer counts).</param>
/// <param name="RevenueCents">What tickets brought in, net of refunds (a ticket cancelled after the cut-off keeps its
/// money).</param>
/// <param name="RefundedCents">What was refunded of ticket payments.</param>
/// <param name="Currency">The currency the tickets were paid in (the event's price stays in it once one is); the
/// event's own when none was paid for; null for a free event nobody paid for.</param>
public sealed record EventStatsDto(
    Guid EventId,
    int? Capacity,
    int SeatsTaken,
    int? SpotsRemaining,
    IReadOnlyDictionary<string, int> Registrations,
    int Arrivals,
    long RevenueCents,
    long RefundedCents,
    string? Currency
);

/// <summary>
/// A registration with the holder's names from the profile projection (null until identity's message arrives).
/// </summary>
/// <param name="ProfileImageUrl">
/// The holder's profile picture, for the door to compare with who shows the ticket: an uploaded picture's address on
/// identity (GET /api/v1/users/{id}/picture, with a token), or a linked one; null without one.
/// </param>
/// <param name="PaymentId">
/// The payment of a paid ticket, for its organizer to refund (POST /api/v1/payments/{id}/refunds); null for a free
/// registration and for one not paid yet.
/// </param>
/// <param name="RefundedCents">What was refunded of that payment so far, as events last heard from payments.</param>
public sealed record AttendeeDto(
    Guid Id,
    Guid EventId,
    Guid UserId,
    string? Username,
    string? FullName,
    string? ProfileImageUrl,
    [property: ValuesOf(typeof(RegistrationStatus))] string Status,
    string? TicketCode,
    long AmountCents,
    string? Currency,
    Guid? PaymentId,
    long RefundedCents,
    DateTimeOffset? HoldExpiresAt,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ConfirmedAt,
    DateTimeOffset? CancelledAt,
    DateTimeOffset? ArrivedAt
)
{
    public static AttendeeDto From(Registration r, UserProfile? profile) =>
        new(
            r.Id,
            r.EventId,
            r.UserId,
            profile?.Username,
            profile?.FullName,
            profile?.ProfileImageUrl,
            r.Status,
            r.TicketCode,
            r.AmountCents,
            r.Currency,
            r.PaymentId,
            r.RefundedCents,
            r.Status == RegistrationStatus.Held ? r.HoldExpiresAt : null,
            r.CreatedAt,
            r.ConfirmedAt,
            r.CancelledAt,
            r.ArrivedAt
        );
}

public static class RegistrationsApi
{
    public const int AttendeesDefaultLimit = 50;

    public static RouteGroupBuilder MapRegistrationsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes
            .MapGroup("/api/v1/events/{id:guid}")
            .DescribesPathParameter("id", "The event's id.")
            .WithTags("Registrations")
            .RequireAuthorization(Policies.Member)
            .WithStandardProblems();
        group
            .MapPost("/registrations", Register)
            .WithName("RegisterForEvent")
            .WithSummary(
                "Register: 201 confirmed (free), 402 seat held until paid, 202 waitlisted, 200 already registered"
            )
            .ProducesPaymentRequired<SeatHeld>()
            .ProducesProblem(409)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        group
            .MapGet("/registrations/me", GetMine)
            .WithName("GetMyRegistration")
            .WithSummary("My registration for this event");
        group
            .MapDelete("/registrations/me", CancelMine)
            .WithName("CancelMyRegistration")
            .WithSummary("Cancel my registration and free the seat")
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        group
            .MapGet("/registrations/me/ticket", Ticket)
            .WithName("GetMyTicket")
            .WithSummary("My ticket code and its signed QR payload");
        group
            .MapGet("/attendees", Attendees)
            .WithName("ListAttendees")
            .WithSummary("Everyone registered, with their username and full name (organizer or admin)");
        group
            .MapGet("/stats", Stats)
            .WithName("EventStats")
            .WithSummary(
                "Registrations by status, arrivals still confirmed, revenue net of refunds (organizer or admin)"
            );
        return group;
    }

    private static async Task<
        Results<Ok<RegistrationDto>, Created<RegistrationDto>, Accepted<RegistrationDto>, ProblemHttpResult>
    > Register(
        Guid id,
        ClaimsPrincipal principal,
        SeatBook seats,
        EventsDbContext db,
        CancellationToken cancellationToken
    )
    {
        var (registration, outcome, position) = await seats.RegisterAsync(
            id,
            principal.UserId(),
            principal.IsInRole(Roles.Admin),
            cancellationToken
        );
        // Full, no waiting list: answered, not thrown (a drop refuses most of the people who press).
        if (registration is null)
            return ProblemResponses.Refusal(new ConflictException(SeatBook.FullNoWaitlist));
        var location = $"/api/v1/events/{id}/registrations/me";
        switch (outcome)
        {
            case RegistrationOutcome.Confirmed:
                return TypedResults.Created(location, RegistrationDto.From(registration));
            case RegistrationOutcome.Held:
                return HoldNeedsPayment(registration);
            case RegistrationOutcome.Waitlisted:
                return TypedResults.Accepted(location, RegistrationDto.From(registration, position));
            default:
                return TypedResults.Ok(
                    RegistrationDto.From(registration, await WaitlistPositionAsync(db, registration, cancellationToken))
                );
        }
    }

    /// <summary>402 with what the client needs to start the checkout for the held seat.</summary>
    public static ProblemHttpResult HoldNeedsPayment(Registration hold) =>
        ProblemResponses.PaymentRequired(
            "A seat is held for you until hold_expires_at; pay for it through POST /api/v1/payments/checkout.",
            new SeatHeld(
                hold.Id,
                hold.EventId,
                hold.Status,
                hold.AmountCents,
                hold.Currency,
                hold.HoldExpiresAt,
                new CheckoutReference(PaymentPurposes.EventRegistration, hold.Id)
            )
        );

    private static async Task<Ok<RegistrationDto>> GetMine(
        Guid id,
        ClaimsPrincipal principal,
        EventsDbContext db,
        CancellationToken cancellationToken
    )
    {
        await CatalogueAccess.VisibleAsync(db, id, CatalogueAccess.CallerOf(principal), cancellationToken);
        return TypedResults.Ok(
            await MineAsync(db, id, principal.UserId(), cancellationToken)
                ?? throw new NotFoundException("You have no registration for this event.")
        );
    }

    private static async Task<Ok<RegistrationDto>> CancelMine(
        Guid id,
        ClaimsPrincipal principal,
        EventsDbContext db,
        SeatBook seats,
        CancellationToken cancellationToken
    )
    {
        // As GetMine: an event the caller may not see is no event at all, not one they have no registration for.
        var e = await CatalogueAccess.VisibleAsync(db, id, CatalogueAccess.CallerOf(principal), cancellationToken);
        var registration = await seats.CancelAsync(e, principal.UserId(), cancellationToken);
        return TypedResults.Ok(RegistrationDto.From(registration));
    }

    private static async Task<Ok<TicketDto>> Ticket(
        Guid id,
        ClaimsPrincipal principal,
        EventsDbContext db,
        TicketSigner signer,
        CancellationToken cancellationToken
    )
    {
        var userId = principal.UserId();
        var e = await CatalogueAccess.VisibleAsync(db, id, CatalogueAccess.CallerOf(principal), cancellationToken);
        var registration =
            await db
                .Registrations.AsNoTracking()
                .FirstOrDefaultAsync(
                    r => r.EventId == id && r.UserId == userId && r.Status == RegistrationStatus.Confirmed,
                    cancellationToken
                )
            ?? throw new NotFoundException("You have no confirmed registration for this event, so no ticket.");
        var payload = await signer.SignAsync(
            new TicketClaims(registration.Id, id, userId, registration.TicketCode!),
            cancellationToken
        );
        return TypedResults.Ok(
            new TicketDto(registration.Id, id, registration.TicketCode!, payload, e.Title, e.StartsAt, e.TimeZone)
        );
    }

    private static async Task<Ok<PageOf<AttendeeDto>>> Attendees(
        Guid id,
        [AsParameters] AttendeesQuery query,
        ClaimsPrincipal principal,
        EventsDbContext db,
        IOptions<EventsOptions> options,
        CancellationToken cancellationToken
    )
    {
        await CatalogueAccess.ManagedAsync(db, id, principal, cancellationToken);
        var errors = new ValidationErrors();
        var status = query.Status?.Trim().ToLowerInvariant();
        errors.OneOf("status", status, RegistrationStatus.All);
        var start = NumberedCursor.Read(
            query.Page,
            query.Limit,
            query.Cursor,
            AttendeesDefaultLimit,
            AttendeePosition,
            errors
        );
        errors.ThrowIfAny();

        var registrations = db.Registrations.AsNoTracking().Where(r => r.EventId == id);
        if (status is not null)
            registrations = registrations.Where(r => r.Status == status);
        var (total, items) = await db.TotalAndPageAsync(
            registrations,
            options.Value.ExactTotalUpTo,
            listed =>
                (
                    from r in listed
                        .OrderBy(r => r.Sequence)
                        .ProbePageBy(start, (q, after) => q.Where(r => r.Sequence > after))
                    join p in db.Set<UserProfile>().AsNoTracking() on r.UserId equals p.UserId into profiles
                    from p in profiles.DefaultIfEmpty()
                    orderby r.Sequence
                    select new { Registration = r, Profile = p }
                ).ToListAsync(cancellationToken),
            cancellationToken
        );
        return TypedResults.Ok(
            start.Page.Of(
                items,
                total,
                x => x.Registration.Sequence.ToString(CultureInfo.InvariantCulture),
                x => AttendeeDto.From(x.Registration, x.Profile)
            )
        );
    }

    // Attendees are listed in registration order; the sequence is unique, so it alone is the position.
    private static long? AttendeePosition(string text) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var sequence) ? sequence : null;

    private sealed record TicketMoney(string? Currency, long Paid, long Refunded);

    private static async Task<Ok<EventStatsDto>> Stats(
        Guid id,
        ClaimsPrincipal principal,
        EventsDbContext db,
        CancellationToken cancellationToken
    )
    {
        // One snapshot for the event's seat count and every count and sum beside it: registrations, payments,
        // refunds and arrivals land while organizers watch this, and read apart they would not add up.
        var (e, byStatus, arrivals, money) = await db.InSnapshotAsync(
            async () =>
            {
                var e = await CatalogueAccess.ManagedAsync(db, id, principal, cancellationToken);
                var byStatus = await db
                    .Registrations.Where(r => r.EventId == id)
                    .GroupBy(r => r.Status)
                    .Select(g => new { Status = g.Key, Count = g.Count() })
                    .ToListAsync(cancellationToken);
                // An erased account's registrations are gone; what they counted here stays (RegistrationEraser).
                var arrivals =
                    e.ErasedArrivals
                    + await db.Registrations.CountAsync(
                        r => r.EventId == id && r.ArrivedAt != null && r.Status == RegistrationStatus.Confirmed,
                        cancellationToken
                    );
                // Every registration a payment settled, whatever became of it since: money in, minus what went back.
                // The currency holding money (a price moves to another only once every ticket paid in one was
                // refunded), else the event's own.
                var money = await db
                    .Database.SqlQuery<TicketMoney>(
                        $"""
                        SELECT currency, sum(amount_cents)::bigint AS paid, sum(refunded_cents)::bigint AS refunded
                        FROM (
                            SELECT currency, amount_cents, refunded_cents FROM registrations
                            WHERE event_id = {id} AND payment_id IS NOT NULL
                            UNION ALL
                            SELECT currency, amount_cents, refunded_cents FROM erased_tickets WHERE event_id = {id}
                        ) paid
                        GROUP BY currency
                        ORDER BY sum(amount_cents) - sum(refunded_cents) DESC,
                            currency IS NOT DISTINCT FROM {e.Currency} DESC
                        LIMIT 1
                        """
                    )
                    .FirstOrDefaultAsync(cancellationToken);
                return (e, byStatus, arrivals, money);
            },
            cancellationToken
        );
        var counts = RegistrationStatus.All.ToDictionary(
            s => s,
            s => byStatus.FirstOrDefault(x => x.Status == s)?.Count ?? 0
        );
        return TypedResults.Ok(
            new EventStatsDto(
                id,
                e.Capacity,
                e.SeatsTaken,
                e.SpotsRemaining,
                counts,
                arrivals,
                (money?.Paid ?? 0) - (money?.Refunded ?? 0),
                money?.Refunded ?? 0,
                // What was paid is counted in its own currency (an event made free since has none); one only, as the
                // price may not move to another while a ticket paid in one holds money (EventRules).
                money?.Currency
                    ?? e.Currency
            )
        );
    }
}
