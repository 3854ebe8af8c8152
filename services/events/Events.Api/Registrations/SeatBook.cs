using Community.Contracts;
using Community.Contracts.Events;
using Community.Events.Data;
using Community.ServiceDefaults.Errors;
using Community.ServiceDefaults.Messaging;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Community.ServiceDefaults.Api;
using Community.ServiceDefaults.Data;
using Npgsql;

namespace Community.Events.Registrations;

public enum RegistrationOutcome { Existing, Confirmed, Held, Waitlisted }

public enum PaidConfirmation { Confirmed, AlreadyConfirmed, SeatGone, NotFound }

/// <summary>What became of a payment for a held registration; SeatGone means the payer must be refunded.</summary>
public sealed record PaidConfirmationResult(PaidConfirmation Outcome, Registration? Registration, string? Reason = null);

/// <summary>
/// Every change to who holds a seat. A seat is taken by one conditional update of the event's
/// counter (<see cref="TakeSeatsAsync"/>) and given back by an atomic decrement, each in a short
/// transaction that locks the registration rows it changes first and the event's row last, so
/// no request queues on the event for longer than that statement and its commit. The capacity
/// check constraint on community_events is the backstop. A free seat goes to the waiting list
/// before anyone new: a newcomer takes a seat only while nobody waits, and whoever frees a seat or
/// joins the list runs <see cref="PromoteAsync"/> after committing (so no seat stays free while
/// someone waits); <see cref="HoldSweeper"/> releases expired holds and fills lists nobody touches.
/// </summary>
public sealed class SeatBook(EventsDbContext db, TimeProvider clock, IOptions<EventsOptions> options, OutboxSignal outbox)
{
    private const int Batch = 100;
    private const string RegistrationsLive = "registrations_live";
    private const string FullNoWaitlist = "This event is full and has no waiting list.";
    private readonly EventsOptions _options = options.Value;

    public async Task<(Registration Registration, RegistrationOutcome Outcome, int? WaitlistPosition)> RegisterAsync(
        Guid eventId, Guid userId, CancellationToken cancellationToken)
    {
        var now = Now();
        // The event, the caller's live registration and whether a hold is past its time, in one round trip.
        var found = await db.Events.AsNoTracking().Where(x => x.Id == eventId)
            .Select(x => new
            {
                Event = x,
                Existing = db.Registrations.Where(r => r.EventId == eventId && r.UserId == userId && RegistrationStatus.Live.Contains(r.Status)).FirstOrDefault(),
                HoldPastItsTime = db.Registrations.Any(r => r.EventId == eventId && r.Status == RegistrationStatus.Held && r.HoldExpiresAt <= now),
            })
            .FirstOrDefaultAsync(cancellationToken);
        var e = found?.Event;
        if (e is null || e.Status == EventStatus.Draft) throw new NotFoundException("No event has this id.");
        if (e.Visibility == Visibility.Private && e.OrganizerId != userId && !e.InvitedUserIds.Contains(userId))
            throw new ForbiddenException("This event is by invitation only.");
        if (e.Status == EventStatus.Cancelled) throw new ConflictException("This event was cancelled; it takes no registrations.");
        if (e.EndsAt <= now) throw new BusinessRuleException("This event has ended.");

        if (found!.Existing is { } existing) return (existing, RegistrationOutcome.Existing, null);
        try
        {
            // Full, but a hold whose time is up and the sweeper has not come by yet: end such holds (their seats go to the
            // waiting list first) before joining. Only when the read above saw one, so a drop never takes this detour.
            if (found.HoldPastItsTime) await ReleaseExpiredHoldsAsync(eventId, now, cancellationToken);
            // Full as read and nothing to wait on: refused without writing (a drop's late majority on a paid event).
            else if (!HasFreeSeat(e) && !e.WaitlistEnabled) throw new ConflictException(FullNoWaitlist);
            var (joined, position) = await JoinAsync(e, userId, now, cancellationToken)
                ?? throw new ConflictException(FullNoWaitlist);
            return (joined, joined.Status switch
            {
                RegistrationStatus.Held => RegistrationOutcome.Held,
                RegistrationStatus.Confirmed => RegistrationOutcome.Confirmed,
                _ => RegistrationOutcome.Waitlisted,
            }, position);
        }
        catch (Exception exception) when ((exception as PostgresException ?? exception.InnerException as PostgresException)
            is { SqlState: PostgresErrorCodes.UniqueViolation, ConstraintName: RegistrationsLive })
        {
            // The same person pressed twice at once: the other attempt won; nothing of this one was kept.
            db.ChangeTracker.Clear();
            return (await LiveRegistrationAsync(eventId, userId, cancellationToken)
                ?? throw new ConflictException("Your registration changed meanwhile; try again."), RegistrationOutcome.Existing, null);
        }
    }

    /// <summary>Cancels the caller's live registration, frees its seat and moves the waiting list up.</summary>
    public async Task<Registration> CancelAsync(Guid eventId, Guid userId, CancellationToken cancellationToken)
    {
        var e = await db.Events.AsNoTracking().FirstOrDefaultAsync(x => x.Id == eventId, cancellationToken)
            ?? throw new NotFoundException("No event has this id.");
        var (registration, freed) = await db.InTransactionAsync(async ct =>
        {
            var registration = await db.Registrations
                .FromSql($"SELECT * FROM registrations WHERE event_id = {eventId} AND user_id = {userId} AND status IN ('held', 'confirmed', 'waitlisted') FOR UPDATE")
                .FirstOrDefaultAsync(ct)
                ?? throw new NotFoundException("You have no registration for this event.");
            var now = Now();
            if (e.EndsAt <= now) throw new BusinessRuleException("This event has ended; its registrations are history.");
            var freed = registration.HoldsSeat;
            Cancel(e, registration, now);
            if (freed) await ReleaseSeatsAsync(eventId, 1, ct);
            return (registration, freed);
        }, cancellationToken);
        if (freed) await PromoteAsync(eventId, cancellationToken);
        return registration;
    }

    /// <summary>
    /// Confirms a held registration once its payment settled; idempotent per payment. A live hold
    /// already owns its seat, so only its row is locked. A hold that expired is confirmed still if
    /// it can take a free seat nobody waits for; otherwise the seat is gone and the caller refunds.
    /// </summary>
    public async Task<PaidConfirmationResult> ConfirmPaidAsync(
        Guid registrationId, Guid paymentId, long amountCents, string currency, CancellationToken cancellationToken)
    {
        return await db.InTransactionAsync(async ct =>
        {
            var registration = await LockAsync(registrationId, ct);
            if (registration is null) return new PaidConfirmationResult(PaidConfirmation.NotFound, null, "No registration has this id.");
            if (registration.Status == RegistrationStatus.Confirmed && registration.PaymentId == paymentId)
                return new PaidConfirmationResult(PaidConfirmation.AlreadyConfirmed, registration);
            var e = await db.Events.AsNoTracking().FirstAsync(x => x.Id == registration.EventId, ct);
            var now = Now();
            if (e.Status == EventStatus.Cancelled)
                return new PaidConfirmationResult(PaidConfirmation.SeatGone, registration, "The event was cancelled.");
            if (amountCents != registration.AmountCents || !string.Equals(currency, registration.Currency, StringComparison.OrdinalIgnoreCase))
                return new PaidConfirmationResult(PaidConfirmation.SeatGone, registration,
                    $"The payment ({amountCents} {currency}) does not match the price held ({registration.AmountCents} {registration.Currency}).");

            switch (registration.Status)
            {
                case RegistrationStatus.Held:
                    break;
                case RegistrationStatus.Expired or RegistrationStatus.Cancelled:
                    var seatAvailable = !await db.Registrations.AnyAsync(r => r.EventId == e.Id && r.UserId == registration.UserId
                            && r.Id != registration.Id && RegistrationStatus.Live.Contains(r.Status), ct)
                        && await TakeSeatsAsync(e.Id, 1, now, ct, unlessSomeoneWaits: true);
                    if (!seatAvailable)
                        return new PaidConfirmationResult(PaidConfirmation.SeatGone, registration, "The hold ended and its seat was taken.");
                    break;
                default:
                    return new PaidConfirmationResult(PaidConfirmation.SeatGone, registration, $"The registration is {registration.Status}.");
            }
            registration.PaymentId = paymentId;
            Confirm(e, registration, now);
            return new PaidConfirmationResult(PaidConfirmation.Confirmed, registration);
        }, cancellationToken);
    }

    /// <summary>
    /// The registration's payment was refunded in full: it ends as refunded. A seat it still held is
    /// freed for the waiting list. A refund of some other (duplicate) payment leaves it alone.
    /// </summary>
    public async Task MarkRefundedAsync(Guid registrationId, Guid paymentId, CancellationToken cancellationToken)
    {
        var freedOn = await db.InTransactionAsync(async ct =>
        {
            var registration = await LockAsync(registrationId, ct);
            if (registration is null || registration.Status == RegistrationStatus.Refunded) return (Guid?)null;
            if (registration.PaymentId is { } paidWith && paidWith != paymentId) return null;
            var now = Now();
            var previous = registration.Status;
            var freed = registration.HoldsSeat;
            registration.Status = RegistrationStatus.Refunded;
            registration.PaymentId = paymentId;
            registration.UpdatedAt = now;
            // No RsvpCancelled: the holder did not cancel, and PaymentRefunded already told everyone who cares.
            if (previous is RegistrationStatus.Confirmed or RegistrationStatus.Held) registration.CancelledAt = now;
            if (freed) await ReleaseSeatsAsync(registration.EventId, 1, ct);
            return freed ? registration.EventId : null;
        }, cancellationToken);
        if (freedOn is { } eventId) await PromoteAsync(eventId, cancellationToken);
    }

    /// <summary>
    /// Records what was refunded of the registration's payment so far (for revenue net of refunds).
    /// The latest message wins, even with a lower total: a refund that failed after it counted is
    /// taken off the next total payments reports. A refund of some other payment changes nothing.
    /// </summary>
    public Task RecordRefundTotalAsync(Guid registrationId, Guid paymentId, long totalRefundedCents, DateTimeOffset asOf, CancellationToken cancellationToken) =>
        db.Registrations
            .Where(r => r.Id == registrationId && r.PaymentId == paymentId && (r.RefundsAsOf == null || r.RefundsAsOf <= asOf))
            .ExecuteUpdateAsync(set => set
                .SetProperty(r => r.RefundedCents, r => totalRefundedCents < r.AmountCents ? totalRefundedCents : r.AmountCents)
                .SetProperty(r => r.RefundsAsOf, asOf), cancellationToken);

    /// <summary>
    /// Ends up to one batch of expired holds and gives their seats back, then fills the waiting lists of the events
    /// concerned. Of any event (<paramref name="eventId"/> null, the sweeper): holds another caller is ending are skipped,
    /// so sweepers on several instances never end one twice. Of one event (a registration finding it full): holds being
    /// ended elsewhere are waited for, so their seats are back when this returns. Returns how many holds ended here.
    /// </summary>
    public async Task<int> ReleaseExpiredHoldsAsync(Guid? eventId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        now = Catalogue.EventRules.AsStored(now);
        var ended = await db.InTransactionAsync(async ct =>
        {
            var holds = eventId is { } one
                ? await db.Registrations.FromSql($"""
                    SELECT * FROM registrations WHERE event_id = {one} AND status = 'held' AND hold_expires_at <= {now}
                    ORDER BY hold_expires_at, id LIMIT {Batch} FOR UPDATE
                    """).ToListAsync(ct)
                : await db.Registrations.FromSql($"""
                    SELECT * FROM registrations WHERE status = 'held' AND hold_expires_at <= {now}
                    ORDER BY hold_expires_at LIMIT {Batch} FOR UPDATE SKIP LOCKED
                    """).ToListAsync(ct);
            foreach (var hold in holds)
            {
                hold.Status = RegistrationStatus.Expired;
                hold.UpdatedAt = now;
            }
            // Event rows in one order, so two sweepers ending holds of the same events cannot deadlock.
            var byEvent = holds.GroupBy(h => h.EventId).OrderBy(g => g.Key).Select(g => (EventId: g.Key, Count: g.Count())).ToList();
            foreach (var (id, count) in byEvent) await ReleaseSeatsAsync(id, count, ct);
            return byEvent;
        }, cancellationToken);
        foreach (var (id, _) in ended) await PromoteAsync(id, cancellationToken);
        return ended.Sum(x => x.Count);
    }

    /// <summary>Events with a free seat and somebody waiting for it (after a capacity rise, or a promotion that lost a race).</summary>
    public Task<List<Guid>> EventsWithSeatsForTheWaitingAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        db.Database.SqlQuery<Guid>($"""
            SELECT DISTINCT r.event_id AS "Value" FROM registrations r JOIN community_events e ON e.id = r.event_id
            WHERE r.status = 'waitlisted' AND e.status = 'published' AND e.ends_at > {now} AND (e.capacity IS NULL OR e.seats_taken < e.capacity)
            LIMIT {Batch}
            """).ToListAsync(cancellationToken);

    /// <summary>
    /// Gives the event's free seats to the head of its waiting list, a batch per short transaction, until no seat is free or
    /// nobody waits. Rows another caller is promoting are skipped and the seats are taken by the conditional update, so
    /// concurrent callers (two sweepers, a cancel and a registration) never promote one registration twice or overfill.
    /// </summary>
    public async Task PromoteAsync(Guid eventId, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 1000; attempt++)
        {
            // Read outside a transaction: most callers find the event full and stop here.
            var now = Now();
            var e = await db.Events.AsNoTracking().FirstOrDefaultAsync(x => x.Id == eventId, cancellationToken);
            if (e is null || e.Status != EventStatus.Published || e.EndsAt <= now || !HasFreeSeat(e)) return;
            var progress = await db.InTransactionAsync(async ct =>
            {
                var room = e.Capacity is { } capacity ? Math.Min(capacity - e.SeatsTaken, Batch) : Batch;
                var next = await db.Registrations.FromSql($"""
                    SELECT * FROM registrations WHERE event_id = {eventId} AND status = 'waitlisted'
                    ORDER BY sequence LIMIT {room} FOR UPDATE SKIP LOCKED
                    """).ToListAsync(ct);
                if (next.Count == 0) return Promotion.Done;
                if (!await TakeSeatsAsync(eventId, next.Count, now, ct, unlessSomeoneWaits: false))
                {
                    // Someone took seats meanwhile: look again. The rows stay tracked unchanged; a row the next round
                    // finds still waitlisted has changed in nothing promotion reads, and the caller may hold it.
                    return Promotion.Retry;
                }
                foreach (var registration in next) GiveSeat(e, registration, now);
                return Promotion.Promoted;
            }, cancellationToken);
            if (progress == Promotion.Done) return;
        }
    }

    /// <summary>Erases a user's registrations (account deleted), giving their seats to the waiting lists.</summary>
    public async Task EraseUserAsync(Guid userId, CancellationToken cancellationToken)
    {
        var eventIds = await db.Registrations.Where(r => r.UserId == userId).Select(r => r.EventId).Distinct().ToListAsync(cancellationToken);
        foreach (var eventId in eventIds)
        {
            var freed = await db.InTransactionAsync(async ct =>
            {
                var e = await db.Events.AsNoTracking().FirstAsync(x => x.Id == eventId, ct);
                var now = Now();
                var registrations = await db.Registrations
                    .FromSql($"SELECT * FROM registrations WHERE event_id = {eventId} AND user_id = {userId} FOR UPDATE").ToListAsync(ct);
                var freed = registrations.Count(r => r.HoldsSeat);
                foreach (var registration in registrations)
                {
                    if (RegistrationStatus.Live.Contains(registration.Status) && e.EndsAt > now) Cancel(e, registration, now);
                    db.Registrations.Remove(registration);
                }
                if (freed > 0) await ReleaseSeatsAsync(eventId, freed, ct);
                return freed;
            }, cancellationToken);
            if (freed > 0) await PromoteAsync(eventId, cancellationToken);
        }
    }

    private enum Promotion { Done, Retry, Promoted }

    private DateTimeOffset Now() => Catalogue.EventRules.AsStored(clock.GetUtcNow());

    private static bool HasFreeSeat(CommunityEvent e) => e.Capacity is not { } capacity || e.SeatsTaken < capacity;

    private Task<Registration?> LiveRegistrationAsync(Guid eventId, Guid userId, CancellationToken cancellationToken) =>
        db.Registrations.AsNoTracking().FirstOrDefaultAsync(
            r => r.EventId == eventId && r.UserId == userId && RegistrationStatus.Live.Contains(r.Status), cancellationToken);

    private Task<Registration?> LockAsync(Guid registrationId, CancellationToken cancellationToken) =>
        db.Registrations.FromSql($"SELECT * FROM registrations WHERE id = {registrationId} FOR UPDATE").FirstOrDefaultAsync(cancellationToken);

    /// <summary>
    /// Takes <paramref name="count"/> seats in one statement if the event is open and has them; the event's row is locked
    /// from here to the commit only. A newcomer (<paramref name="unlessSomeoneWaits"/>) never jumps the waiting list.
    /// </summary>
    private async Task<bool> TakeSeatsAsync(Guid eventId, int count, DateTimeOffset now, CancellationToken cancellationToken, bool unlessSomeoneWaits) =>
        await db.Database.ExecuteSqlAsync($"""
            UPDATE community_events SET seats_taken = seats_taken + {count}
            WHERE id = {eventId} AND status = 'published' AND ends_at > {now}
              AND (capacity IS NULL OR seats_taken + {count} <= capacity)
              AND (NOT {unlessSomeoneWaits} OR NOT EXISTS (SELECT 1 FROM registrations WHERE event_id = {eventId} AND status = 'waitlisted'))
            """, cancellationToken) == 1;

    private Task<int> ReleaseSeatsAsync(Guid eventId, int count, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlAsync($"UPDATE community_events SET seats_taken = seats_taken - {count} WHERE id = {eventId}", cancellationToken);

    private sealed record Joined(string Status, long Sequence, bool SeatWasFree);

    /// <summary>
    /// A new registration in one statement (so one implicit transaction, one round trip): the conditional update of the
    /// seat counter, then the registration row, seated if the update took a seat, else waitlisted when the event keeps a
    /// list, with the outbox message of a seated one; all or nothing. Null (nothing written) when no seat was left and
    /// the event keeps no list. The event's row is locked only while this statement runs and commits, never across a
    /// round trip to the service, and an event that is full is not locked at all (the update's condition fails first).
    /// <c>outcome</c> is materialised so the seat is settled (and any wait for the event's row over) before the insert
    /// draws the row's sequence: left to the insert's projection, the sequence column (drawn first) could be taken before a
    /// seat that waited, putting a seated row behind a waitlisted one.
    /// The statement is written so PostgreSQL can keep one generic plan for it per connection instead of planning it on
    /// every call (planning was about half of its cost in a drop): "someone waits" is a <c>min()</c> over the partial
    /// waiting-list index, which a generic plan reads as one index probe (<c>NOT EXISTS</c> made it a table scan), and the
    /// waiting-list position, a count whose generic estimate is the average list length, is asked for after the commit,
    /// only for a waitlisted row: the rows still waiting up to this one's sequence (a drop's concurrent joins may still be
    /// committing ahead of it). Promotion runs after a join only when the statement saw a free seat (taken by
    /// the list's head meanwhile); a seat freed between this statement and its commit is filled by <see cref="HoldSweeper"/>.
    /// </summary>
    private async Task<(Registration Registration, int? Position)?> JoinAsync(CommunityEvent e, Guid userId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var r = NewRegistration(e, userId, now);
        var message = OutboxMessage.From(MarkSeated(e, r, now));
        var rows = await db.Database.SqlQuery<Joined>($"""
            WITH seat AS (
                UPDATE community_events SET seats_taken = seats_taken + 1
                WHERE id = {e.Id} AND status = 'published' AND ends_at > {now}
                  AND (capacity IS NULL OR seats_taken < capacity)
                  AND (SELECT min(sequence) FROM registrations WHERE event_id = {e.Id} AND status = 'waitlisted') IS NULL
                RETURNING id),
            outcome AS MATERIALIZED (SELECT EXISTS (SELECT 1 FROM seat) AS seated),
            registration AS (
                INSERT INTO registrations (id, event_id, user_id, status, ticket_code, amount_cents, currency, hold_expires_at, created_at, updated_at, confirmed_at)
                SELECT {r.Id}, {e.Id}, {r.UserId},
                       CASE WHEN o.seated THEN {r.Status} ELSE 'waitlisted' END,
                       CASE WHEN o.seated THEN {Text(r.TicketCode)} END, {r.AmountCents}, {Text(r.Currency)},
                       CASE WHEN o.seated THEN {Instant(r.HoldExpiresAt)} END, {now}, {now},
                       CASE WHEN o.seated THEN {Instant(r.ConfirmedAt)} END
                FROM outcome o WHERE o.seated OR {e.WaitlistEnabled}
                RETURNING status, sequence),
            message AS (
                INSERT INTO outbox_messages (id, type, payload, occurred_at, trace_parent)
                SELECT {message.Id}, {message.Type}, {message.Payload}::jsonb, {message.OccurredAt}, {Text(message.TraceParent)} FROM seat)
            SELECT j.status AS "Status", j.sequence AS "Sequence",
                   (SELECT x.capacity IS NULL OR x.seats_taken < x.capacity FROM community_events x WHERE x.id = {e.Id}) AS "SeatWasFree"
            FROM registration j
            """).ToListAsync(cancellationToken);
        if (rows.Count == 0) return null;
        var joined = rows[0];
        if (joined.Status != RegistrationStatus.Waitlisted)
        {
            outbox.Notify();
            return (r, null);
        }
        var waiting = NewRegistration(e, userId, now);
        waiting.Id = r.Id;
        waiting.Status = RegistrationStatus.Waitlisted;
        // Counted after the commit: the rows ahead that are still waiting, this one included.
        if (!joined.SeatWasFree) return (waiting, await RegistrationQueries.WaitlistPositionAsync(db, e.Id, joined.Sequence, cancellationToken));
        // Someone was waiting while a seat was free (a promotion still under way): see that the list moves up, this row too.
        await PromoteAsync(e.Id, cancellationToken);
        var current = await LiveRegistrationAsync(e.Id, userId, cancellationToken) ?? waiting;
        return (current, await RegistrationQueries.WaitlistPositionAsync(db, current, cancellationToken));
    }

    // Values that may be null go with their type: an untyped null is a different parameter type to Npgsql, so a connection
    // switching between a free event's joins (no currency) and a paid one's (no ticket code yet) would prepare the
    // statement again each time, and PostgreSQL plan it again.
    private static NpgsqlParameter Text(string? value) => new() { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text, Value = (object?)value ?? DBNull.Value };

    private static NpgsqlParameter Instant(DateTimeOffset? value) =>
        new() { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.TimestampTz, Value = (object?)value ?? DBNull.Value };

    private static Registration NewRegistration(CommunityEvent e, Guid userId, DateTimeOffset now) => new()
    {
        Id = NewId.Next(now), EventId = e.Id, UserId = userId, AmountCents = e.PriceCents, Currency = e.Currency,
        CreatedAt = now, UpdatedAt = now,
    };

    /// <summary>Gives a registration whose seat was counted its status and queues the message saying so.</summary>
    private void GiveSeat(CommunityEvent e, Registration registration, DateTimeOffset now) => db.AddIntegrationEvent(MarkSeated(e, registration, now));

    private void Confirm(CommunityEvent e, Registration registration, DateTimeOffset now) => db.AddIntegrationEvent(MarkConfirmed(e, registration, now));

    /// <summary>Confirmed at once when free, held for payment when paid; returns the message announcing it.</summary>
    private IIntegrationEvent MarkSeated(CommunityEvent e, Registration registration, DateTimeOffset now)
    {
        registration.UpdatedAt = now;
        if (!e.IsPaid) return MarkConfirmed(e, registration, now);
        registration.Status = RegistrationStatus.Held;
        registration.HoldExpiresAt = now + _options.HoldDuration;
        return new TicketHoldCreated(Guid.CreateVersion7(), now, registration.Id, e.Id, registration.UserId,
            registration.AmountCents, registration.Currency!, registration.HoldExpiresAt.Value, e.OrganizerId);
    }

    private static RegistrationConfirmed MarkConfirmed(CommunityEvent e, Registration registration, DateTimeOffset now)
    {
        registration.Status = RegistrationStatus.Confirmed;
        registration.TicketCode ??= TicketCodes.New();
        registration.ConfirmedAt = now;
        registration.UpdatedAt = now;
        return new RegistrationConfirmed(Guid.CreateVersion7(), now, registration.Id, e.Id, registration.UserId, registration.TicketCode, registration.PaymentId);
    }

    /// <summary>Marks the registration cancelled and announces it; the caller gives back the seat it held.</summary>
    private void Cancel(CommunityEvent e, Registration registration, DateTimeOffset now)
    {
        var previous = registration.Status;
        var refund = previous == RegistrationStatus.Confirmed && registration.PaymentId is not null
            && now <= e.StartsAt - TimeSpan.FromHours(e.RefundCutoffHours) ? registration.AmountCents : 0;
        registration.Status = RegistrationStatus.Cancelled;
        registration.CancelledAt = now;
        registration.UpdatedAt = now;
        db.AddIntegrationEvent(new RsvpCancelled(Guid.CreateVersion7(), now, registration.Id, e.Id, registration.UserId, previous,
            refund, registration.Currency, registration.PaymentId));
    }
}
