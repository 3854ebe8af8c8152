using Community.Events.Users;
using Community.ServiceDefaults.Api;
using Community.ServiceDefaults.Errors;

namespace Community.Events.Registrations;

/// <summary>Newcomers: a registration joins the event's next batch (<see cref="JoinBatches"/>).</summary>
public sealed partial class SeatBook
{
    public async Task<(Registration? Registration, RegistrationOutcome Outcome, int? WaitlistPosition)> RegisterAsync(
        Guid eventId,
        Guid userId,
        bool isAdmin,
        CancellationToken cancellationToken
    )
    {
        var now = Now();
        // Terms remembered from an earlier registration spare reading the event: the statement checks them as it
        // writes.
        var terms = knownTerms.Find(eventId);
        if (terms is null)
        {
            var (read, held) = await ReadTermsAsync(eventId, userId, isAdmin, now, cancellationToken);
            if (held is not null)
                return (held, RegistrationOutcome.Existing, null);
            terms = read!;
        }
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
                    // The event changed since its terms were read (or it closed): read it again, which also says why it
                    // closed.
                    knownTerms.Forget(eventId);
                    var (reread, holding) = await ReadTermsAsync(eventId, userId, isAdmin, now, cancellationToken);
                    if (holding is not null)
                        return (holding, RegistrationOutcome.Existing, null);
                    terms = reread!;
                    continue;
                case BatchedJoin.TermsChanged:
                    throw new ConflictException("The event changed while you registered; try again.");
                case BatchedJoin.Blocked:
                    // As the event's page answers them: a block is not told, nor that the event exists. An admin sees
                    // every event, so is told why.
                    throw isAdmin
                        ? new ForbiddenException(BlockedWithOrganizer)
                        : new NotFoundException("No event has this id.");
                case BatchedJoin.Uninvited:
                    // The invitation was taken back while the registration was on its way: as the event's page now
                    // answers them (unknown), an admin told why.
                    throw isAdmin
                        ? new ForbiddenException(ByInvitationOnly)
                        : new NotFoundException("No event has this id.");
                case BatchedJoin.Erased:
                    throw new ForbiddenException(ErasedAccounts.Deleted);
                case BatchedJoin.Refused when joined.HoldPastItsTime && !holdsEnded:
                    // Full, but a hold whose time is up and the sweeper has not come by yet: end such holds (their
                    // seats go to the waiting list first) and try once more. Only when the statement saw one, so a drop
                    // never does.
                    await ReleaseExpiredHoldsAsync(eventId, now, cancellationToken);
                    holdsEnded = true;
                    continue;
                case BatchedJoin.Refused:
                    return (null, RegistrationOutcome.Full, null);
            }
            // A hold past its time: end such holds. Whoever ends them (here, or a sweeper at the same moment, which
            // this waits for), the seats may now be free while this row waits, and that sweeper may have promoted
            // before the row was committed. Or someone was waiting while a seat was free (a promotion still under way).
            // Either way the list moves up now, this row too, waiting for promotions under way rather than answering
            // "waitlisted" a moment before they seat it.
            if (joined.HoldPastItsTime)
                await ReleaseExpiredHoldsAsync(eventId, now, cancellationToken);
            if (joined.HoldPastItsTime || joined.SeatWasFree)
                await PromoteAsync(eventId, waitForOthers: true, cancellationToken);
            else if (await positions.PositionAsync(eventId, registration!.Id, cancellationToken) is { } place)
                return (registration, RegistrationOutcome.Waitlisted, place);
            // Ending holds or promoting may have seated this row: answer with what it is now. One cancelled meanwhile
            // (by the caller's own other request) is no place to answer with.
            var current =
                await LiveRegistrationAsync(eventId, userId, cancellationToken)
                ?? throw new ConflictException(
                    "Your registration was cancelled while it was being made; register again to take a place."
                );
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

    /// <summary>
    /// The event's terms read fresh, after the checks that say why it takes no registration from this caller. Whoever
    /// already holds a live registration of an event they may no longer join (made private, invitation taken back) gets
    /// that registration instead, as they keep its page (<see cref="Catalogue.CatalogueAccess.VisibleAsync"/>).
    /// </summary>
    private async Task<(RegistrationTerms? Terms, Registration? Held)> ReadTermsAsync(
        Guid eventId,
        Guid userId,
        bool isAdmin,
        DateTimeOffset now,
        CancellationToken cancellationToken
    )
    {
        var e = await db.CommunityEvents.AsNoTracking().FirstOrDefaultAsync(x => x.Id == eventId, cancellationToken);
        if (e is null)
            throw new NotFoundException("No event has this id.");
        var visible = e.IsVisibleTo(userId, isAdmin);
        var invited =
            e.Visibility != Visibility.Private || e.OrganizerId == userId || e.InvitedUserIds.Contains(userId);
        if (
            (!visible || !invited)
            && e.Status != EventStatus.Draft
            && await LiveRegistrationAsync(eventId, userId, cancellationToken) is { } held
        )
            return (null, held);
        // An event the caller may not see is unknown, as its page is (CatalogueAccess). Who sees it (its organizer, an
        // admin) is told why it takes no registration from them.
        if (!visible)
            throw new NotFoundException("No event has this id.");
        // Nor one whose organizer is in a block with the caller, as its page is unknown to them (a registration made
        // before the block is kept): told it was cancelled or has ended, they would learn it exists.
        if (
            !isAdmin
            && e.OrganizerId != userId
            && await UserBlockQueries.BetweenAsync(db, userId, e.OrganizerId, cancellationToken)
        )
            return await LiveRegistrationAsync(eventId, userId, cancellationToken) is { } kept
                ? (null, kept)
                : throw new NotFoundException("No event has this id.");
        if (e.Status == EventStatus.Draft)
            throw new ConflictException("This event is not published yet; it takes no registrations.");
        if (!invited)
            throw new ForbiddenException(ByInvitationOnly);
        if (e.Status == EventStatus.Cancelled)
            throw new ConflictException("This event was cancelled; it takes no registrations.");
        if (e.EndsAt <= now)
            throw new BusinessRuleException("This event has ended.");
        return (knownTerms.Remember(e) ?? RegistrationTerms.Of(e), null);
    }

    /// <summary>
    /// A new registration in the event's next batch (<see cref="JoinBatches"/>): seated when a seat is free and nobody
    /// waits, else waitlisted when the event keeps a list; written only while the event still has these
    /// <paramref name="terms"/> (else TermsChanged) and the caller has no live registration (else Existing).
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
}
