using Community.Contracts;
using Community.Contracts.Events;
using Community.Events.Users;
using Community.ServiceDefaults.Api;
using Community.ServiceDefaults.Errors;
using Microsoft.Extensions.Options;

namespace Community.Events.Registrations;

/// <summary>
/// Every change to who holds a seat. A conditional update of the event's counter takes seats, an atomic decrement gives
/// them back, each in a short transaction that locks the registration rows first and the event's row last; the capacity
/// check on community_events is the backstop. A freed seat goes to the waiting list before anyone new (Promotion).
/// </summary>
public sealed partial class SeatBook(
    EventsDbContext db,
    TimeProvider clock,
    IOptions<EventsOptions> options,
    OutboxSignal outbox,
    RegistrationTermsCache knownTerms,
    WaitlistPositions positions,
    JoinBatches batches,
    ILogger<SeatBook> logger
)
{
    private const int Batch = 100;

    public const string FullNoWaitlist = "This event is full and has no waiting list.";

    /// <summary>A private event's refusal to someone it does not invite (an admin: others get its 404).</summary>
    public const string ByInvitationOnly = "This event is by invitation only.";

    /// <summary>
    /// Nobody registers, nor waits, for the events of an organizer in a block with them: they get the 404 the event's
    /// page gives them; an admin, who sees every event, this.
    /// </summary>
    public const string BlockedWithOrganizer =
        "You cannot register for an event whose organizer you blocked or who blocked you.";

    private readonly EventsOptions _options = options.Value;

    /// <summary>
    /// Cancels the caller's live registration of <paramref name="e"/> (an event they may see, which the caller
    /// checked), frees its seat and moves the waiting list up.
    /// </summary>
    public async Task<Registration> CancelAsync(CommunityEvent e, Guid userId, CancellationToken cancellationToken)
    {
        var eventId = e.Id;
        var (registration, freed) = await db.InTransactionAsync(
            async ct =>
            {
                var registration =
                    await db
                        .Registrations.FromSql(
                            $"""
                            SELECT * FROM registrations WHERE event_id = {eventId} AND user_id = {userId}
                                AND status IN ('held', 'confirmed', 'waitlisted') FOR UPDATE
                            """
                        )
                        .FirstOrDefaultAsync(ct)
                    ?? throw new NotFoundException("You have no registration for this event.");
                var now = Now();
                // A place on the waiting list of an event that ended never became a seat: it may go, so the event
                // stops showing among the member's registrations.
                if (e.EndsAt <= now && registration.Status != RegistrationStatus.Waitlisted)
                    throw new BusinessRuleException("This event has ended; its registrations are history.");
                var freed = registration.HoldsSeat;
                // Read again under the lock a seat's release takes anyway (after the registration's), so an
                // organizer's cancellation under way is waited for and owes this ticket's refund. A share lock would
                // deadlock two holders cancelling at once, each waiting for the other's to release their seat.
                Cancel(freed ? await LockedEventAsync(eventId, ct) : e, registration, now);
                if (freed)
                    await ReleaseSeatsAsync(eventId, 1, ct);
                return (registration, freed);
            },
            cancellationToken
        );
        if (freed)
            await PromoteAfterCommitAsync(eventId, cancellationToken);
        return registration;
    }

    /// <summary>
    /// Moves the waiting list up once the caller's change that freed a seat has committed. That change stands whatever
    /// happens here, so its answer must not be an error (asked again, a cancellation would answer 404, its refund never
    /// told): a fault is logged and the seat left to the sweeper (<see cref="HoldSweeper"/>), which seats the head of
    /// the list on its next pass.
    /// </summary>
    private async Task PromoteAfterCommitAsync(Guid eventId, CancellationToken cancellationToken)
    {
        try
        {
            await PromoteAsync(eventId, cancellationToken);
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning(
                exception,
                "The seat freed on event {EventId} is left to the waiting list's sweeper: promoting now failed",
                eventId
            );
        }
    }

    /// <summary>
    /// Confirms a held registration once its payment settled; idempotent per payment. A live hold
    /// already owns its seat, so only its row is locked. A hold that expired (or was cancelled) unpaid is confirmed
    /// still if the event's terms are still the hold's and it can take a free seat nobody waits for; otherwise the seat
    /// is gone and the caller refunds, as for a ticket cancelled once issued. A payment made once the event had ended
    /// (<paramref name="paidAt"/>) is refunded too.
    /// </summary>
    public async Task<PaidConfirmationResult> ConfirmPaidAsync(
        Guid registrationId,
        Guid paymentId,
        long amountCents,
        string currency,
        DateTimeOffset paidAt,
        CancellationToken cancellationToken
    )
    {
        return await db.InTransactionAsync(
            async ct =>
            {
                var registration = await LockAsync(registrationId, ct);
                if (registration is null)
                    return new PaidConfirmationResult(PaidConfirmation.NotFound, null, "No registration has this id.");
                // The payment that issued the ticket, told again: nothing to do, whatever became of the ticket since
                // (one cancelled after its refund cut-off keeps its payment).
                if (
                    registration.PaymentId == paymentId
                    && (
                        registration.Status == RegistrationStatus.Confirmed
                        || (registration.Status == RegistrationStatus.Cancelled && registration.ConfirmedAt is not null)
                    )
                )
                    return new PaidConfirmationResult(PaidConfirmation.AlreadyConfirmed, registration);
                var e = await db.CommunityEvents.AsNoTracking().FirstAsync(x => x.Id == registration.EventId, ct);
                var now = Now();
                if (e.Status == EventStatus.Cancelled)
                    return new PaidConfirmationResult(
                        PaidConfirmation.SeatGone,
                        registration,
                        "The event was cancelled."
                    );
                // Paid after the end (a hold taken in the event's last minutes): a ticket now could be neither used
                // nor cancelled for a refund, so the payment is given back, as for an expired hold. One paid while
                // the event was on and told late is honoured.
                if (e.EndsAt <= paidAt)
                    return new PaidConfirmationResult(PaidConfirmation.SeatGone, registration, "The event has ended.");
                if (
                    amountCents != registration.AmountCents
                    || !string.Equals(currency, registration.Currency, StringComparison.OrdinalIgnoreCase)
                )
                    return new PaidConfirmationResult(
                        PaidConfirmation.SeatGone,
                        registration,
                        $"The payment ({amountCents} {currency}) does not match the price held "
                            + $"({registration.AmountCents} {registration.Currency})."
                    );

                switch (registration.Status)
                {
                    case RegistrationStatus.Held:
                        break;
                    // A ticket issued then cancelled had its refund settled by its cancellation: another payment for
                    // it (an old checkout paid since) is given back rather than charge its holder again.
                    case RegistrationStatus.Cancelled when registration.ConfirmedAt is not null:
                        return new PaidConfirmationResult(
                            PaidConfirmation.SeatGone,
                            registration,
                            "The ticket was cancelled."
                        );
                    case RegistrationStatus.Expired or RegistrationStatus.Cancelled:
                        // Its seat went back; the terms it was held on could change meanwhile (no seat taken, nobody
                        // waiting): a payment arriving late seats it only on the terms the event has now.
                        if (await ChangedSinceHeldAsync(registration, ct) is { } changed)
                            return new PaidConfirmationResult(
                                PaidConfirmation.SeatGone,
                                registration,
                                $"The hold ended and {changed} since."
                            );
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
                await CarryEarlyRefundsAsync(registration, paymentId, ct);
                return new PaidConfirmationResult(PaidConfirmation.Confirmed, registration);
            },
            cancellationToken
        );
    }

    /// <summary>
    /// The registration's payment was refunded in full: it ends as refunded. A seat it still held is
    /// freed for the waiting list: answers its event, for the caller to <see cref="PromoteAsync(Guid,
    /// CancellationToken)"/> once the seat's release is committed (a promotion under way elsewhere sees only committed
    /// seats). A refund of some other (duplicate) payment leaves it alone.
    /// </summary>
    public async Task<Guid?> MarkRefundedAsync(
        Guid registrationId,
        Guid paymentId,
        CancellationToken cancellationToken
    ) =>
        await db.InTransactionAsync(
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
                if (previous is RegistrationStatus.Confirmed or RegistrationStatus.Held)
                    registration.CancelledAt = now;
                // An attendee no longer: the event's chat and the feed let them go as for a cancellation, and nobody
                // refunds anything for it (RefundCents 0). A held seat never made them one.
                if (previous == RegistrationStatus.Confirmed)
                    db.AddIntegrationEvent(
                        new RsvpCancelled(
                            Guid.CreateVersion7(),
                            now,
                            registration.Id,
                            registration.EventId,
                            registration.UserId,
                            previous,
                            0,
                            registration.Currency,
                            paymentId
                        )
                        {
                            Refunded = true,
                        }
                    );
                if (freed)
                    await ReleaseSeatsAsync(registration.EventId, 1, ct);
                return freed ? registration.EventId : null;
            },
            cancellationToken
        );

    /// <summary>
    /// Records what was refunded of the registration's payment so far (for revenue net of refunds).
    /// The latest message wins, even with a lower total: a refund that failed after it counted is
    /// taken off the next total payments reports. A refund of some other payment changes nothing. One handled before
    /// the payment confirmed the registration (none recorded on it yet) is kept for that payment, and the confirmation
    /// carries it over (<see cref="ConfirmPaidAsync"/>): the row is locked as a confirmation locks it, so one of the
    /// two sees the other.
    /// </summary>
    public Task RecordRefundTotalAsync(
        Guid registrationId,
        Guid paymentId,
        long totalRefundedCents,
        DateTimeOffset asOf,
        CancellationToken cancellationToken
    ) =>
        db.InTransactionAsync(
            async ct =>
            {
                var registration = await LockAsync(registrationId, ct);
                if (registration?.PaymentId == paymentId)
                {
                    if (registration.RefundsAsOf is null || registration.RefundsAsOf <= asOf)
                    {
                        registration.RefundedCents = Math.Min(totalRefundedCents, registration.AmountCents);
                        registration.RefundsAsOf = asOf;
                    }
                    // Kept while the payment was unconfirmed, and a refund of what the confirmation then refused.
                    await db.Database.ExecuteSqlAsync(
                        $"DELETE FROM early_ticket_refunds WHERE payment_id = {paymentId}",
                        ct
                    );
                }
                else if (registration is { PaymentId: null })
                    await db.Database.ExecuteSqlAsync(
                        $"""
                        INSERT INTO early_ticket_refunds (payment_id, registration_id, total_refunded_cents, as_of)
                        VALUES ({paymentId}, {registrationId}, {totalRefundedCents}, {asOf})
                        ON CONFLICT (payment_id) DO UPDATE
                        SET total_refunded_cents = EXCLUDED.total_refunded_cents, as_of = EXCLUDED.as_of
                        WHERE early_ticket_refunds.as_of <= EXCLUDED.as_of
                        """,
                        ct
                    );
                return registration is not null;
            },
            cancellationToken
        );

    /// <summary>
    /// What was refunded of <paramref name="paymentId"/> before it confirmed <paramref name="registration"/> (<see
    /// cref="RecordRefundTotalAsync"/>), now recorded on the registration.
    /// </summary>
    private async Task CarryEarlyRefundsAsync(Registration registration, Guid paymentId, CancellationToken ct)
    {
        var early = await db
            .Database.SqlQuery<EarlyRefund>(
                $"""
                DELETE FROM early_ticket_refunds WHERE payment_id = {paymentId}
                RETURNING total_refunded_cents, as_of
                """
            )
            .ToListAsync(ct);
        if (early is not [var refund])
            return;
        registration.RefundedCents = Math.Min(refund.TotalRefundedCents, registration.AmountCents);
        registration.RefundsAsOf = refund.AsOf;
    }

    private sealed record EarlyRefund(long TotalRefundedCents, DateTimeOffset AsOf);

    private DateTimeOffset Now() => UtcTimestamps.AsStored(clock.GetUtcNow());

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
            .SingleOrDefaultAsync(cancellationToken);

    /// <summary>
    /// What changed of the terms <paramref name="registration"/> was held on (its price, the event's visibility to
    /// its holder, a block with the organizer, any edit of the event once the seat went back), read from the event's
    /// row locked as a seat's take locks it, so an edit under way is waited for; null when nothing did.
    /// </summary>
    private async Task<string?> ChangedSinceHeldAsync(Registration registration, CancellationToken cancellationToken)
    {
        var e = await LockedEventAsync(registration.EventId, cancellationToken);
        if (
            e.PriceCents != registration.AmountCents
            || !string.Equals(e.Currency, registration.Currency, StringComparison.OrdinalIgnoreCase)
        )
            return "the event's price changed";
        if (
            !e.IsVisibleTo(registration.UserId, isAdmin: false)
            || await UserBlockQueries.BetweenAsync(db, registration.UserId, e.OrganizerId, cancellationToken)
        )
            return "the event is no longer open to its holder";
        // Its dates, place and refund terms are fixed only while someone holds a seat or waits (EventRules.Apply), and
        // what they were is not kept: an edit once this seat went back may have moved the event, or its refund
        // deadline, from what the payer agreed to. The payment is given back rather than seat them on terms unseen.
        var seatWentBack = registration.CancelledAt ?? registration.HoldExpiresAt ?? registration.UpdatedAt;
        if (e.UpdatedAt > seatWentBack)
            return "the event was edited";
        return null;
    }

    /// <summary>The event's row as committed, locked as a seat's take or release locks it.</summary>
    private async Task<CommunityEvent> LockedEventAsync(Guid eventId, CancellationToken cancellationToken) =>
        (
            await db
                .CommunityEvents.FromSql($"SELECT *, xmin FROM community_events WHERE id = {eventId} FOR NO KEY UPDATE")
                .AsNoTracking()
                .ToListAsync(cancellationToken)
        ).Single();

    /// <summary>
    /// Takes <paramref name="count"/> seats in one statement if the event is open and has them; the event's row is
    /// locked from here to the commit only. A newcomer (<paramref name="unlessSomeoneWaits"/>) never jumps the waiting
    /// list.
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
              AND (NOT {unlessSomeoneWaits} OR NOT EXISTS (SELECT 1 FROM registrations WHERE event_id = {eventId} AND
                  status = 'waitlisted'))
            """,
            cancellationToken
        ) == 1;

    internal Task<int> ReleaseSeatsAsync(Guid eventId, int count, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlAsync(
            $"UPDATE community_events SET seats_taken = seats_taken - {count} WHERE id = {eventId}",
            cancellationToken
        );

    /// <summary>
    /// Gives a registration off the waiting list the seat counted for it and queues the message saying so (a hold's
    /// says it came from the waiting list: its holder is told).
    /// </summary>
    private void GiveSeat(CommunityEvent e, Registration registration, DateTimeOffset now) =>
        db.AddIntegrationEvent(MarkSeated(RegistrationTerms.Of(e), registration, now, fromWaitingList: true));

    private void Confirm(CommunityEvent e, Registration registration, DateTimeOffset now) =>
        db.AddIntegrationEvent(MarkConfirmed(RegistrationTerms.Of(e), registration, now));

    /// <summary>Confirmed at once when free, held for payment when paid; returns the message announcing it.</summary>
    private IIntegrationEvent MarkSeated(
        RegistrationTerms terms,
        Registration registration,
        DateTimeOffset now,
        bool fromWaitingList = false
    )
    {
        registration.UpdatedAt = now;
        if (!terms.IsPaid)
            return MarkConfirmed(terms, registration, now);
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
            terms.OrganizerId,
            fromWaitingList
        );
    }

    private static RegistrationConfirmed MarkConfirmed(
        RegistrationTerms terms,
        Registration registration,
        DateTimeOffset now
    )
    {
        registration.Status = RegistrationStatus.Confirmed;
        registration.TicketCode ??= TicketCodes.New();
        registration.ConfirmedAt = now;
        // A hold cancelled or expired, then paid while its seat was still free: a ticket now, not a cancellation.
        registration.CancelledAt = null;
        registration.UpdatedAt = now;
        return new RegistrationConfirmed(
            Guid.CreateVersion7(),
            now,
            registration.Id,
            terms.EventId,
            registration.UserId,
            registration.TicketCode,
            registration.PaymentId,
            terms.OrganizerId
        );
    }

    /// <summary>Marks the registration cancelled and announces it; the caller gives back the seat it held.</summary>
    internal void Cancel(CommunityEvent e, Registration registration, DateTimeOffset now)
    {
        var previous = registration.Status;
        var refund =
            previous == RegistrationStatus.Confirmed
            && registration.PaymentId is not null
            // a ticket used is not given back: its holder was let in (check-in opens before a cut-off of 0 hours)
            && registration.ArrivedAt is null
            && now <= e.StartsAt - TimeSpan.FromHours(e.RefundCutoffHours)
            // EventCancelled refunds every ticket of a cancelled event; a second refund would be refused and retried
            && e.Status != EventStatus.Cancelled
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
