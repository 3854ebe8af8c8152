using Community.Contracts;
using Community.Contracts.Events;
using Community.Events.Data;
using Community.ServiceDefaults.Api;
using Community.ServiceDefaults.Data;
using Community.ServiceDefaults.Errors;
using Community.ServiceDefaults.Messaging;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Community.Events.Registrations;

/// <summary>What a registration came to; Full, with no registration, when no seat was left and the event keeps no waiting list.</summary>
public enum RegistrationOutcome
{
    Existing,
    Confirmed,
    Held,
    Waitlisted,
    Full,
}

public enum PaidConfirmation
{
    Confirmed,
    AlreadyConfirmed,
    SeatGone,
    NotFound,
}

/// <summary>What became of a payment for a held registration; SeatGone means the payer must be refunded.</summary>
public sealed record PaidConfirmationResult(
    PaidConfirmation Outcome,
    Registration? Registration,
    string? Reason = null
);

/// <summary>
/// Every change to who holds a seat. Seats are taken by a conditional change of the event's counter (newcomers: in shared
/// batches, <see cref="JoinBatches"/>; a payment for a lapsed hold: <see cref="TakeSeatsAsync"/>) and given back by an atomic
/// decrement, each in a short transaction that locks the registration rows it changes first and the event's row last, so
/// no request queues on the event for longer than that statement and its commit. The capacity check constraint on
/// community_events is the backstop. A free seat goes to the waiting list before anyone new: a newcomer takes a seat only
/// while nobody waits, and whoever frees a seat runs <see cref="PromoteAsync(Guid, CancellationToken)"/> after committing (so no seat stays free
/// while someone waits); <see cref="HoldSweeper"/> releases expired holds and fills lists nobody touches.
/// </summary>
public sealed class SeatBook(
    EventsDbContext db,
    TimeProvider clock,
    IOptions<EventsOptions> options,
    OutboxSignal outbox,
    RegistrationTermsCache knownTerms,
    WaitlistPositions positions,
    JoinBatches batches
)
{
    private const int Batch = 100;

    /// <summary>The first key of the advisory locks that let one caller at a time promote an event (the second is the event's hash).</summary>
    private const int PromotionLocks = 14_001;
    public const string FullNoWaitlist = "This event is full and has no waiting list.";
    private readonly EventsOptions _options = options.Value;

    public async Task<(Registration? Registration, RegistrationOutcome Outcome, int? WaitlistPosition)> RegisterAsync(
        Guid eventId,
        Guid userId,
        CancellationToken cancellationToken
    )
    {
        var now = Now();
        // Terms remembered from an earlier registration spare reading the event: the statement checks them as it writes.
        var terms = knownTerms.Find(eventId) ?? await ReadTermsAsync(eventId, userId, now, cancellationToken);
        var holdsEnded = false;
        for (var attempt = 1; ; attempt++)
        {
            var (joined, registration) = await JoinAsync(terms, userId, now, cancellationToken);
            switch (joined.Outcome)
            {
                case BatchedJoin.Seated:
                    outbox.Notify();
                    return (
                        registration!,
                        registration!.Status == RegistrationStatus.Held
                            ? RegistrationOutcome.Held
                            : RegistrationOutcome.Confirmed,
                        null
                    );
                case BatchedJoin.Existing:
                    return (
                        await LiveRegistrationAsync(eventId, userId, cancellationToken)
                            ?? throw new ConflictException("Your registration changed meanwhile; try again."),
                        RegistrationOutcome.Existing,
                        null
                    );
                case BatchedJoin.TermsChanged when attempt < 3:
                    // The event changed since its terms were read (or it closed): read it again, which also says why it closed.
                    knownTerms.Forget(eventId);
                    terms = await ReadTermsAsync(eventId, userId, now, cancellationToken);
                    continue;
                case BatchedJoin.TermsChanged:
                    throw new ConflictException("The event changed while you registered; try again.");
                case BatchedJoin.Refused when joined.HoldPastItsTime && !holdsEnded:
                    // Full, but a hold whose time is up and the sweeper has not come by yet: end such holds (their seats go
                    // to the waiting list first) and try once more. Only when the statement saw one, so a drop never does.
                    await ReleaseExpiredHoldsAsync(eventId, now, cancellationToken);
                    holdsEnded = true;
                    continue;
                case BatchedJoin.Refused:
                    return (null, RegistrationOutcome.Full, null);
            }
            // A hold past its time: end such holds. Whoever ends them (here, or a sweeper at the same moment, which this waits
            // for), the seats may now be free while this row waits, and that sweeper may have promoted before the row was
            // committed. Or someone was waiting while a seat was free (a promotion still under way). Either way the list moves
            // up now, this row too, waiting for promotions under way rather than answering "waitlisted" a moment before they seat it.
            if (joined.HoldPastItsTime)
                await ReleaseExpiredHoldsAsync(eventId, now, cancellationToken);
            if (joined.HoldPastItsTime || joined.SeatWasFree)
                await PromoteAsync(eventId, waitForOthers: true, cancellationToken);
            else if (await positions.PositionAsync(eventId, registration!.Id, cancellationToken) is { } place)
                return (registration, RegistrationOutcome.Waitlisted, place);
            // Ending holds or promoting may have seated this row (or it left the list meanwhile): answer with what it is now.
            var current = await LiveRegistrationAsync(eventId, userId, cancellationToken) ?? registration!;
            return (
                current,
                current.Status switch
                {
                    RegistrationStatus.Held => RegistrationOutcome.Held,
                    RegistrationStatus.Confirmed => RegistrationOutcome.Confirmed,
                    _ => RegistrationOutcome.Waitlisted,
                },
                await RegistrationQueries.WaitlistPositionAsync(db, current, cancellationToken)
            );
        }
    }

    /// <summary>The event's terms read fresh, after the checks that say why it takes no registration from this caller.</summary>
    private async Task<RegistrationTerms> ReadTermsAsync(
        Guid eventId,
        Guid userId,
        DateTimeOffset now,
        CancellationToken cancellationToken
    )
    {
        var e = await db.Events.AsNoTracking().FirstOrDefaultAsync(x => x.Id == eventId, cancellationToken);
        if (e is null || e.Status == EventStatus.Draft)
            throw new NotFoundException("No event has this id.");
        if (e.Visibility == Visibility.Private && e.OrganizerId != userId && !e.InvitedUserIds.Contains(userId))
            throw new ForbiddenException("This event is by invitation only.");
        if (e.Status == EventStatus.Cancelled)
            throw new ConflictException("This event was cancelled; it takes no registrations.");
        if (e.EndsAt <= now)
            throw new BusinessRuleException("This event has ended.");
        return knownTerms.Remember(e) ?? RegistrationTerms.Of(e);
    }

    /// <summary>Cancels the caller's live registration, frees its seat and moves the waiting list up.</summary>
    public async Task<Registration> CancelAsync(Guid eventId, Guid userId, CancellationToken cancellationToken)
    {
        var e =
            await db.Events.AsNoTracking().FirstOrDefaultAsync(x => x.Id == eventId, cancellationToken)
            ?? throw new NotFoundException("No event has this id.");
        var (registration, freed) = await db.InTransactionAsync(
            async ct =>
            {
                var registration =
                    await db
                        .Registrations.FromSql(
                            $"SELECT * FROM registrations WHERE event_id = {eventId} AND user_id = {userId} AND status IN ('held', 'confirmed', 'waitlisted') FOR UPDATE"
                        )
                        .FirstOrDefaultAsync(ct)
                    ?? throw new NotFoundException("You have no registration for this event.");
                var now = Now();
                if (e.EndsAt <= now)
                    throw new BusinessRuleException("This event has ended; its registrations are history.");
                var freed = registration.HoldsSeat;
                Cancel(e, registration, now);
                if (freed)
                    await ReleaseSeatsAsync(eventId, 1, ct);
                return (registration, freed);
            },
            cancellationToken
        );
        if (freed)
            await PromoteAsync(eventId, cancellationToken);
        return registration;
    }

    /// <summary>
    /// Confirms a held registration once its payment settled; idempotent per payment. A live hold
    /// already owns its seat, so only its row is locked. A hold that expired is confirmed still if
    /// it can take a free seat nobody waits for; otherwise the seat is gone and the caller refunds.
    /// </summary>
    public async Task<PaidConfirmationResult> ConfirmPaidAsync(
        Guid registrationId,
        Guid paymentId,
        long amountCents,
        string currency,
        CancellationToken cancellationToken
    )
    {
        return await db.InTransactionAsync(
            async ct =>
            {
                var registration = await LockAsync(registrationId, ct);
                if (registration is null)
                    return new PaidConfirmationResult(PaidConfirmation.NotFound, null, "No registration has this id.");
                if (registration.Status == RegistrationStatus.Confirmed && registration.PaymentId == paymentId)
                    return new PaidConfirmationResult(PaidConfirmation.AlreadyConfirmed, registration);
                var e = await db.Events.AsNoTracking().FirstAsync(x => x.Id == registration.EventId, ct);
                var now = Now();
                if (e.Status == EventStatus.Cancelled)
                    return new PaidConfirmationResult(
                        PaidConfirmation.SeatGone,
                        registration,
                        "The event was cancelled."
                    );
                if (
                    amountCents != registration.AmountCents
                    || !string.Equals(currency, registration.Currency, StringComparison.OrdinalIgnoreCase)
                )
                    return new PaidConfirmationResult(
                        PaidConfirmation.SeatGone,
                        registration,
                        $"The payment ({amountCents} {currency}) does not match the price held ({registration.AmountCents} {registration.Currency})."
                    );

                switch (registration.Status)
                {
                    case RegistrationStatus.Held:
                        break;
                    case RegistrationStatus.Expired or RegistrationStatus.Cancelled:
                        var seatAvailable =
                            !await db.Registrations.AnyAsync(
                                r =>
                                    r.EventId == e.Id
                                    && r.UserId == registration.UserId
                                    && r.Id != registration.Id
                                    && RegistrationStatus.Live.Contains(r.Status),
                                ct
                            ) && await TakeSeatsAsync(e.Id, 1, now, ct, unlessSomeoneWaits: true);
                        if (!seatAvailable)
                            return new PaidConfirmationResult(
                                PaidConfirmation.SeatGone,
                                registration,
                                "The hold ended and its seat was taken."
                            );
                        break;
                    default:
                        return new PaidConfirmationResult(
                            PaidConfirmation.SeatGone,
                            registration,
                            $"The registration is {registration.Status}."
                        );
                }
                registration.PaymentId = paymentId;
                Confirm(e, registration, now);
                return new PaidConfirmationResult(PaidConfirmation.Confirmed, registration);
            },
            cancellationToken
        );
    }

    /// <summary>
    /// The registration's payment was refunded in full: it ends as refunded. A seat it still held is
    /// freed for the waiting list. A refund of some other (duplicate) payment leaves it alone.
    /// </summary>
    public async Task MarkRefundedAsync(Guid registrationId, Guid paymentId, CancellationToken cancellationToken)
    {
        var freedOn = await db.InTransactionAsync(
            async ct =>
            {
                var registration = await LockAsync(registrationId, ct);
                if (registration is null || registration.Status == RegistrationStatus.Refunded)
                    return (Guid?)null;
                if (registration.PaymentId is { } paidWith && paidWith != paymentId)
                    return null;
                var now = Now();
                var previous = registration.Status;
                var freed = registration.HoldsSeat;
                registration.Status = RegistrationStatus.Refunded;
                registration.PaymentId = paymentId;
                registration.UpdatedAt = now;
                // No RsvpCancelled: the holder did not cancel, and PaymentRefunded already told everyone who cares.
                if (previous is RegistrationStatus.Confirmed or RegistrationStatus.Held)
                    registration.CancelledAt = now;
                if (freed)
                    await ReleaseSeatsAsync(registration.EventId, 1, ct);
                return freed ? registration.EventId : null;
            },
            cancellationToken
        );
        if (freedOn is { } eventId)
            await PromoteAsync(eventId, cancellationToken);
    }

    /// <summary>
    /// Records what was refunded of the registration's payment so far (for revenue net of refunds).
    /// The latest message wins, even with a lower total: a refund that failed after it counted is
    /// taken off the next total payments reports. A refund of some other payment changes nothing.
    /// </summary>
    public Task RecordRefundTotalAsync(
        Guid registrationId,
        Guid paymentId,
        long totalRefundedCents,
        DateTimeOffset asOf,
        CancellationToken cancellationToken
    ) =>
        db
            .Registrations.Where(r =>
                r.Id == registrationId && r.PaymentId == paymentId && (r.RefundsAsOf == null || r.RefundsAsOf <= asOf)
            )
            .ExecuteUpdateAsync(
                set =>
                    set.SetProperty(
                            r => r.RefundedCents,
                            r => totalRefundedCents < r.AmountCents ? totalRefundedCents : r.AmountCents
                        )
                        .SetProperty(r => r.RefundsAsOf, asOf),
                cancellationToken
            );

    /// <summary>
    /// Ends up to one batch of expired holds and gives their seats back, then fills the waiting lists of the events
    /// concerned. Of any event (<paramref name="eventId"/> null, the sweeper): holds another caller is ending are skipped,
    /// so sweepers on several instances never end one twice. Of one event (a registration finding it full): holds being
    /// ended elsewhere are waited for, so their seats are back when this returns. Returns how many holds ended here.
    /// </summary>
    public async Task<int> ReleaseExpiredHoldsAsync(
        Guid? eventId,
        DateTimeOffset now,
        CancellationToken cancellationToken
    )
    {
        now = Catalogue.EventRules.AsStored(now);
        var ended = await db.InTransactionAsync(
            async ct =>
            {
                var holds = eventId is { } one
                    ? await db
                        .Registrations.FromSql(
                            $"""
                            SELECT * FROM registrations WHERE event_id = {one} AND status = 'held' AND hold_expires_at <= {now}
                            ORDER BY hold_expires_at, id LIMIT {Batch} FOR UPDATE
                            """
                        )
                        .ToListAsync(ct)
                    : await db
                        .Registrations.FromSql(
                            $"""
                            SELECT * FROM registrations WHERE status = 'held' AND hold_expires_at <= {now}
                            ORDER BY hold_expires_at LIMIT {Batch} FOR UPDATE SKIP LOCKED
                            """
                        )
                        .ToListAsync(ct);
                foreach (var hold in holds)
                {
                    hold.Status = RegistrationStatus.Expired;
                    hold.UpdatedAt = now;
                }
                // Event rows in one order, so two sweepers ending holds of the same events cannot deadlock.
                var byEvent = holds
                    .GroupBy(h => h.EventId)
                    .OrderBy(g => g.Key)
                    .Select(g => (EventId: g.Key, Count: g.Count()))
                    .ToList();
                foreach (var (id, count) in byEvent)
                    await ReleaseSeatsAsync(id, count, ct);
                return byEvent;
            },
            cancellationToken
        );
        foreach (var (id, _) in ended)
            await PromoteAsync(id, cancellationToken);
        return ended.Sum(x => x.Count);
    }

    /// <summary>Events with a free seat and somebody waiting for it (after a capacity rise, or a promotion that lost a race).</summary>
    public Task<List<Guid>> EventsWithSeatsForTheWaitingAsync(
        DateTimeOffset now,
        CancellationToken cancellationToken
    ) =>
        db
            .Database.SqlQuery<Guid>(
                $"""
                SELECT DISTINCT r.event_id AS "Value" FROM registrations r JOIN community_events e ON e.id = r.event_id
                WHERE r.status = 'waitlisted' AND e.status = 'published' AND e.ends_at > {now} AND (e.capacity IS NULL OR e.seats_taken < e.capacity)
                LIMIT {Batch}
                """
            )
            .ToListAsync(cancellationToken);

    /// <summary>
    /// Gives the event's free seats to the head of its waiting list, a batch per short transaction, until no seat is free or
    /// nobody waits. One caller promotes an event at a time (a transaction-scoped advisory lock on it): another that finds
    /// the lock taken leaves the seats to its holder, which reads the event again after each commit (and the list, when it
    /// found nobody waiting) and so also sees a seat freed, or a row waitlisted, meanwhile. The seats are taken by the conditional update, so callers never promote one registration twice,
    /// overfill, or seat anyone ahead of someone who waited longer.
    /// </summary>
    public Task PromoteAsync(Guid eventId, CancellationToken cancellationToken) =>
        PromoteAsync(eventId, waitForOthers: false, cancellationToken);

    /// <summary>
    /// <see cref="PromoteAsync(Guid, CancellationToken)"/>; with <paramref name="waitForOthers"/>, a promotion under way is waited
    /// for instead of left to finish (for a registration that answers with its own row's status after it).
    /// </summary>
    private async Task PromoteAsync(Guid eventId, bool waitForOthers, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 1000; attempt++)
        {
            // Read outside a transaction: most callers find the event full and stop here.
            var now = Now();
            var e = await db.Events.AsNoTracking().FirstOrDefaultAsync(x => x.Id == eventId, cancellationToken);
            if (e is null || e.Status != EventStatus.Published || e.EndsAt <= now || !HasFreeSeat(e))
                return;
            var progress = await db.InTransactionAsync(
                async ct =>
                {
                    if (waitForOthers)
                        await db.Database.ExecuteSqlAsync(
                            $"SELECT pg_advisory_xact_lock({PromotionLocks}, hashtext({eventId}::text))",
                            ct
                        );
                    else if (
                        !await db
                            .Database.SqlQuery<bool>(
                                $"SELECT pg_try_advisory_xact_lock({PromotionLocks}, hashtext({eventId}::text)) AS \"Value\""
                            )
                            .SingleAsync(ct)
                    )
                        return Promotion.LeftToHolder;
                    var room = e.Capacity is { } capacity ? Math.Min(capacity - e.SeatsTaken, Batch) : Batch;
                    // In the list's order; a row someone else has (cancelling it, say) is waited for, never jumped.
                    var next = await db
                        .Registrations.FromSql(
                            $"""
                            SELECT * FROM registrations WHERE event_id = {eventId} AND status = 'waitlisted'
                            ORDER BY sequence LIMIT {room} FOR UPDATE
                            """
                        )
                        .ToListAsync(ct);
                    if (next.Count == 0)
                        return Promotion.NobodyWaited;
                    if (!await TakeSeatsAsync(eventId, next.Count, now, ct, unlessSomeoneWaits: false))
                    {
                        // Someone took seats meanwhile (the event's read was older than this transaction): look again. The rows
                        // stay tracked unchanged; a row the next round finds still waitlisted has changed in nothing promotion reads.
                        return Promotion.Retry;
                    }
                    foreach (var registration in next)
                        GiveSeat(e, registration, now);
                    return Promotion.Promoted;
                },
                cancellationToken
            );
            if (progress == Promotion.LeftToHolder)
                return;
            // Nobody waited as this transaction saw the list. Rows committed since (a batch's, whose own look at the seats came
            // before a seat was freed) are looked for once more, now that the lock is released: whoever freed a seat while this
            // caller held the lock left it to this caller.
            if (
                progress == Promotion.NobodyWaited
                && !await db.Registrations.AnyAsync(
                    r => r.EventId == eventId && r.Status == RegistrationStatus.Waitlisted,
                    cancellationToken
                )
            )
                return;
        }
    }

    /// <summary>Erases a user's registrations (account deleted), giving their seats to the waiting lists.</summary>
    public async Task EraseUserAsync(Guid userId, CancellationToken cancellationToken)
    {
        var eventIds = await db
            .Registrations.Where(r => r.UserId == userId)
            .Select(r => r.EventId)
            .Distinct()
            .ToListAsync(cancellationToken);
        foreach (var eventId in eventIds)
        {
            var freed = await db.InTransactionAsync(
                async ct =>
                {
                    var e = await db.Events.AsNoTracking().FirstAsync(x => x.Id == eventId, ct);
                    var now = Now();
                    var registrations = await db
                        .Registrations.FromSql(
                            $"SELECT * FROM registrations WHERE event_id = {eventId} AND user_id = {userId} FOR UPDATE"
                        )
                        .ToListAsync(ct);
                    var freed = registrations.Count(r => r.HoldsSeat);
                    foreach (var registration in registrations)
                    {
                        if (RegistrationStatus.Live.Contains(registration.Status) && e.EndsAt > now)
                            Cancel(e, registration, now);
                        db.Registrations.Remove(registration);
                    }
                    if (freed > 0)
                        await ReleaseSeatsAsync(eventId, freed, ct);
                    return freed;
                },
                cancellationToken
            );
            if (freed > 0)
                await PromoteAsync(eventId, cancellationToken);
        }
    }

    private enum Promotion
    {
        LeftToHolder,
        NobodyWaited,
        Retry,
        Promoted,
    }

    private DateTimeOffset Now() => Catalogue.EventRules.AsStored(clock.GetUtcNow());

    private static bool HasFreeSeat(CommunityEvent e) => e.Capacity is not { } capacity || e.SeatsTaken < capacity;

    private Task<Registration?> LiveRegistrationAsync(Guid eventId, Guid userId, CancellationToken cancellationToken) =>
        db
            .Registrations.AsNoTracking()
            .FirstOrDefaultAsync(
                r => r.EventId == eventId && r.UserId == userId && RegistrationStatus.Live.Contains(r.Status),
                cancellationToken
            );

    private Task<Registration?> LockAsync(Guid registrationId, CancellationToken cancellationToken) =>
        db
            .Registrations.FromSql($"SELECT * FROM registrations WHERE id = {registrationId} FOR UPDATE")
            .FirstOrDefaultAsync(cancellationToken);

    /// <summary>
    /// Takes <paramref name="count"/> seats in one statement if the event is open and has them; the event's row is locked
    /// from here to the commit only. A newcomer (<paramref name="unlessSomeoneWaits"/>) never jumps the waiting list.
    /// </summary>
    private async Task<bool> TakeSeatsAsync(
        Guid eventId,
        int count,
        DateTimeOffset now,
        CancellationToken cancellationToken,
        bool unlessSomeoneWaits
    ) =>
        await db.Database.ExecuteSqlAsync(
            $"""
            UPDATE community_events SET seats_taken = seats_taken + {count}
            WHERE id = {eventId} AND status = 'published' AND ends_at > {now}
              AND (capacity IS NULL OR seats_taken + {count} <= capacity)
              AND (NOT {unlessSomeoneWaits} OR NOT EXISTS (SELECT 1 FROM registrations WHERE event_id = {eventId} AND status = 'waitlisted'))
            """,
            cancellationToken
        ) == 1;

    private Task<int> ReleaseSeatsAsync(Guid eventId, int count, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlAsync(
            $"UPDATE community_events SET seats_taken = seats_taken - {count} WHERE id = {eventId}",
            cancellationToken
        );

    /// <summary>
    /// A new registration, in the event's next batch (<see cref="JoinBatches"/>): seated if a seat is free and nobody waits,
    /// else waitlisted when the event keeps a list, with the outbox message of a seated one; all in one statement. It writes
    /// only while the event is published, not over, and still has the <paramref name="terms"/> the row and message were built
    /// from (else TermsChanged: the caller reads the event again), and only when the caller has no live registration (else
    /// Existing). A waitlisted row's place is read after the commit (<see cref="WaitlistPositions"/>). Promotion runs after a
    /// join only when the statement saw a free seat while someone waited, or the batch found a seat free after its commit (one
    /// freed while it ran, whose promotion could not see its rows yet). Returns what the batch said, with the registration
    /// written (seated or waitlisted; null when none was).
    /// </summary>
    private async Task<(BatchedJoinResult Joined, Registration? Registration)> JoinAsync(
        RegistrationTerms terms,
        Guid userId,
        DateTimeOffset now,
        CancellationToken cancellationToken
    )
    {
        var seated = NewRegistration(terms, userId, now);
        var message = OutboxMessage.From(MarkSeated(terms, seated, now));
        var joined = await batches.JoinAsync(terms, seated, message, cancellationToken);
        switch (joined.Outcome)
        {
            case BatchedJoin.Seated:
                return (joined, seated);
            case BatchedJoin.Waitlisted:
                var waiting = NewRegistration(terms, userId, now, seated.Id);
                waiting.Status = RegistrationStatus.Waitlisted;
                return (joined, waiting);
            default:
                return (joined, null);
        }
    }

    private static Registration NewRegistration(
        RegistrationTerms terms,
        Guid userId,
        DateTimeOffset now,
        Guid? id = null
    ) =>
        new()
        {
            Id = id ?? NewId.Next(now),
            EventId = terms.EventId,
            UserId = userId,
            AmountCents = terms.PriceCents,
            Currency = terms.Currency,
            CreatedAt = now,
            UpdatedAt = now,
        };

    /// <summary>Gives a registration whose seat was counted its status and queues the message saying so.</summary>
    private void GiveSeat(CommunityEvent e, Registration registration, DateTimeOffset now) =>
        db.AddIntegrationEvent(MarkSeated(RegistrationTerms.Of(e), registration, now));

    private void Confirm(CommunityEvent e, Registration registration, DateTimeOffset now) =>
        db.AddIntegrationEvent(MarkConfirmed(e.Id, registration, now));

    /// <summary>Confirmed at once when free, held for payment when paid; returns the message announcing it.</summary>
    private IIntegrationEvent MarkSeated(RegistrationTerms terms, Registration registration, DateTimeOffset now)
    {
        registration.UpdatedAt = now;
        if (!terms.IsPaid)
            return MarkConfirmed(terms.EventId, registration, now);
        registration.Status = RegistrationStatus.Held;
        registration.HoldExpiresAt = now + _options.HoldDuration;
        return new TicketHoldCreated(
            Guid.CreateVersion7(),
            now,
            registration.Id,
            terms.EventId,
            registration.UserId,
            registration.AmountCents,
            registration.Currency!,
            registration.HoldExpiresAt.Value,
            terms.OrganizerId
        );
    }

    private static RegistrationConfirmed MarkConfirmed(Guid eventId, Registration registration, DateTimeOffset now)
    {
        registration.Status = RegistrationStatus.Confirmed;
        registration.TicketCode ??= TicketCodes.New();
        registration.ConfirmedAt = now;
        registration.UpdatedAt = now;
        return new RegistrationConfirmed(
            Guid.CreateVersion7(),
            now,
            registration.Id,
            eventId,
            registration.UserId,
            registration.TicketCode,
            registration.PaymentId
        );
    }

    /// <summary>Marks the registration cancelled and announces it; the caller gives back the seat it held.</summary>
    private void Cancel(CommunityEvent e, Registration registration, DateTimeOffset now)
    {
        var previous = registration.Status;
        var refund =
            previous == RegistrationStatus.Confirmed
            && registration.PaymentId is not null
            && now <= e.StartsAt - TimeSpan.FromHours(e.RefundCutoffHours)
                ? registration.AmountCents
                : 0;
        registration.Status = RegistrationStatus.Cancelled;
        registration.CancelledAt = now;
        registration.UpdatedAt = now;
        db.AddIntegrationEvent(
            new RsvpCancelled(
                Guid.CreateVersion7(),
                now,
                registration.Id,
                e.Id,
                registration.UserId,
                previous,
                refund,
                registration.Currency,
                registration.PaymentId
            )
        );
    }
}
