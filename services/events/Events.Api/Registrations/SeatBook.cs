using Community.Contracts.Events;
using Community.Events.Data;
using Community.ServiceDefaults.Errors;
using Community.ServiceDefaults.Messaging;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Community.ServiceDefaults.Api;
using Community.ServiceDefaults.Data;

namespace Community.Events.Registrations;

public enum RegistrationOutcome { Existing, Confirmed, Held, Waitlisted }

public enum PaidConfirmation { Confirmed, AlreadyConfirmed, SeatGone, NotFound }

/// <summary>What became of a payment for a held registration; SeatGone means the payer must be refunded.</summary>
public sealed record PaidConfirmationResult(PaidConfirmation Outcome, Registration? Registration, string? Reason = null);

/// <summary>
/// Every change to who holds a seat. Each operation runs in one transaction that first locks the
/// event's row, so registrations, cancellations, hold expiry and waitlist promotion of one event
/// are serialised in the database, whichever instance runs them; the capacity check constraint
/// on community_events is the backstop.
/// </summary>
public sealed class SeatBook(EventsDbContext db, TimeProvider clock, IOptions<EventsOptions> options)
{
    private readonly EventsOptions _options = options.Value;

    public async Task<(Registration Registration, RegistrationOutcome Outcome)> RegisterAsync(
        Guid eventId, Guid userId, CancellationToken cancellationToken)
    {
        return await InEventLockAsync(eventId, async e =>
        {
            var now = Catalogue.EventRules.AsStored(clock.GetUtcNow());
            if (e.Status == EventStatus.Draft) throw new NotFoundException("No event has this id.");
            if (e.Visibility == Visibility.Private && e.OrganizerId != userId && !e.InvitedUserIds.Contains(userId))
                throw new ForbiddenException("This event is by invitation only.");
            if (e.Status == EventStatus.Cancelled) throw new ConflictException("This event was cancelled; it takes no registrations.");
            if (e.EndsAt <= now) throw new BusinessRuleException("This event has ended.");

            await ReleaseExpiredHoldsAsync(e, now, cancellationToken);
            await PromoteWaitlistAsync(e, now, cancellationToken);

            var existing = await db.Registrations.FirstOrDefaultAsync(
                r => r.EventId == e.Id && r.UserId == userId && RegistrationStatus.Live.Contains(r.Status), cancellationToken);
            if (existing is not null) return (existing, RegistrationOutcome.Existing);

            var registration = new Registration
            {
                Id = NewId.Next(now), EventId = e.Id, UserId = userId, AmountCents = e.PriceCents, Currency = e.Currency,
                CreatedAt = now, UpdatedAt = now,
            };
            db.Registrations.Add(registration);
            if (HasFreeSeat(e))
            {
                TakeSeat(e, registration, now);
                return (registration, registration.Status == RegistrationStatus.Held ? RegistrationOutcome.Held : RegistrationOutcome.Confirmed);
            }
            if (!e.WaitlistEnabled) throw new ConflictException("This event is full and has no waiting list.");
            registration.Status = RegistrationStatus.Waitlisted;
            return (registration, RegistrationOutcome.Waitlisted);
        }, cancellationToken);
    }

    /// <summary>Cancels the caller's live registration, frees its seat and moves the waiting list up.</summary>
    public async Task<Registration> CancelAsync(Guid eventId, Guid userId, CancellationToken cancellationToken)
    {
        return await InEventLockAsync(eventId, async e =>
        {
            var registration = await db.Registrations.FirstOrDefaultAsync(
                r => r.EventId == e.Id && r.UserId == userId && RegistrationStatus.Live.Contains(r.Status), cancellationToken)
                ?? throw new NotFoundException("You have no registration for this event.");
            var now = Catalogue.EventRules.AsStored(clock.GetUtcNow());
            if (e.EndsAt <= now) throw new BusinessRuleException("This event has ended; its registrations are history.");
            Cancel(e, registration, now);
            await PromoteWaitlistAsync(e, now, cancellationToken);
            return registration;
        }, cancellationToken);
    }

    /// <summary>
    /// Confirms a held registration once its payment settled; idempotent per payment. A hold that
    /// expired is confirmed still if a seat is free; otherwise the seat is gone and the caller refunds.
    /// </summary>
    public async Task<PaidConfirmationResult> ConfirmPaidAsync(
        Guid registrationId, Guid paymentId, long amountCents, string currency, CancellationToken cancellationToken)
    {
        var eventId = await db.Registrations.Where(r => r.Id == registrationId).Select(r => (Guid?)r.EventId).FirstOrDefaultAsync(cancellationToken);
        if (eventId is null) return new(PaidConfirmation.NotFound, null, "No registration has this id.");

        return await InEventLockAsync(eventId.Value, async e =>
        {
            var now = Catalogue.EventRules.AsStored(clock.GetUtcNow());
            var registration = await db.Registrations.FirstAsync(r => r.Id == registrationId, cancellationToken);
            if (registration.Status == RegistrationStatus.Confirmed && registration.PaymentId == paymentId)
                return new PaidConfirmationResult(PaidConfirmation.AlreadyConfirmed, registration);
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
                    var seatAvailable = e.Status == EventStatus.Published && e.EndsAt > now && HasFreeSeat(e)
                        && !await db.Registrations.AnyAsync(r => r.EventId == e.Id && r.UserId == registration.UserId
                            && r.Id != registration.Id && RegistrationStatus.Live.Contains(r.Status), cancellationToken);
                    if (!seatAvailable)
                        return new PaidConfirmationResult(PaidConfirmation.SeatGone, registration, "The hold ended and its seat was taken.");
                    e.SeatsTaken++;
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
        var eventId = await db.Registrations.Where(r => r.Id == registrationId).Select(r => (Guid?)r.EventId).FirstOrDefaultAsync(cancellationToken);
        if (eventId is null) return;
        await InEventLockAsync(eventId.Value, async e =>
        {
            var now = Catalogue.EventRules.AsStored(clock.GetUtcNow());
            var registration = await db.Registrations.FirstAsync(r => r.Id == registrationId, cancellationToken);
            if (registration.Status == RegistrationStatus.Refunded) return 0;
            if (registration.PaymentId is { } paidWith && paidWith != paymentId) return 0;
            var previous = registration.Status;
            if (registration.HoldsSeat) e.SeatsTaken--;
            registration.Status = RegistrationStatus.Refunded;
            registration.PaymentId = paymentId;
            registration.UpdatedAt = now;
            // No RsvpCancelled: the holder did not cancel, and PaymentRefunded already told everyone who cares.
            if (previous is RegistrationStatus.Confirmed or RegistrationStatus.Held)
            {
                registration.CancelledAt = now;
                await PromoteWaitlistAsync(e, now, cancellationToken);
            }
            return 0;
        }, cancellationToken);
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

    /// <summary>Releases the event's expired holds and promotes from the waiting list; returns how many holds ended.</summary>
    public async Task<int> SweepAsync(Guid eventId, CancellationToken cancellationToken)
    {
        return await InEventLockAsync(eventId, async e =>
        {
            var now = Catalogue.EventRules.AsStored(clock.GetUtcNow());
            var released = await ReleaseExpiredHoldsAsync(e, now, cancellationToken);
            await PromoteWaitlistAsync(e, now, cancellationToken);
            return released;
        }, cancellationToken);
    }

    /// <summary>Erases a user's registrations (account deleted), giving their seats to the waiting lists.</summary>
    public async Task EraseUserAsync(Guid userId, CancellationToken cancellationToken)
    {
        var eventIds = await db.Registrations.Where(r => r.UserId == userId).Select(r => r.EventId).Distinct().ToListAsync(cancellationToken);
        foreach (var eventId in eventIds)
        {
            await InEventLockAsync(eventId, async e =>
            {
                var now = Catalogue.EventRules.AsStored(clock.GetUtcNow());
                var registrations = await db.Registrations.Where(r => r.EventId == e.Id && r.UserId == userId).ToListAsync(cancellationToken);
                foreach (var registration in registrations)
                {
                    if (RegistrationStatus.Live.Contains(registration.Status) && e.EndsAt > now) Cancel(e, registration, now);
                    else if (registration.HoldsSeat) e.SeatsTaken--;
                    db.Registrations.Remove(registration);
                }
                await PromoteWaitlistAsync(e, now, cancellationToken);
                return 0;
            }, cancellationToken);
        }
    }

    private Task<T> InEventLockAsync<T>(Guid eventId, Func<CommunityEvent, Task<T>> work, CancellationToken cancellationToken) =>
        db.InTransactionAsync(async ct =>
        {
            var locked = await db.Database
                .SqlQuery<Guid>($"SELECT id AS \"Value\" FROM community_events WHERE id = {eventId} FOR UPDATE")
                .ToListAsync(ct);
            if (locked.Count == 0) throw new NotFoundException("No event has this id.");
            // Read after the lock, so the row is current; an instance this context already tracks is refreshed instead.
            var e = db.Events.Local.FirstOrDefault(x => x.Id == eventId);
            if (e is null) e = await db.Events.FirstAsync(x => x.Id == eventId, ct);
            else await db.Entry(e).ReloadAsync(ct);
            return await work(e);
        }, cancellationToken);

    private static bool HasFreeSeat(CommunityEvent e) => e.Capacity is not { } capacity || e.SeatsTaken < capacity;

    /// <summary>Gives the registration a seat: confirmed at once when free, held for payment when paid.</summary>
    private void TakeSeat(CommunityEvent e, Registration registration, DateTimeOffset now)
    {
        e.SeatsTaken++;
        registration.UpdatedAt = now;
        if (e.IsPaid)
        {
            registration.Status = RegistrationStatus.Held;
            registration.HoldExpiresAt = now + _options.HoldDuration;
            db.AddIntegrationEvent(new TicketHoldCreated(Guid.CreateVersion7(), now, registration.Id, e.Id, registration.UserId,
                registration.AmountCents, registration.Currency!, registration.HoldExpiresAt.Value, e.OrganizerId));
        }
        else
        {
            Confirm(e, registration, now);
        }
    }

    private void Confirm(CommunityEvent e, Registration registration, DateTimeOffset now)
    {
        registration.Status = RegistrationStatus.Confirmed;
        registration.TicketCode ??= TicketCodes.New();
        registration.ConfirmedAt = now;
        registration.UpdatedAt = now;
        db.AddIntegrationEvent(new RegistrationConfirmed(Guid.CreateVersion7(), now, registration.Id, e.Id, registration.UserId, registration.TicketCode, registration.PaymentId));
    }

    private void Cancel(CommunityEvent e, Registration registration, DateTimeOffset now)
    {
        var previous = registration.Status;
        if (registration.HoldsSeat) e.SeatsTaken--;
        var refund = previous == RegistrationStatus.Confirmed && registration.PaymentId is not null
            && now <= e.StartsAt - TimeSpan.FromHours(e.RefundCutoffHours) ? registration.AmountCents : 0;
        registration.Status = RegistrationStatus.Cancelled;
        registration.CancelledAt = now;
        registration.UpdatedAt = now;
        db.AddIntegrationEvent(new RsvpCancelled(Guid.CreateVersion7(), now, registration.Id, e.Id, registration.UserId, previous,
            refund, registration.Currency, registration.PaymentId));
    }

    private async Task<int> ReleaseExpiredHoldsAsync(CommunityEvent e, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var expired = await db.Registrations
            .Where(r => r.EventId == e.Id && r.Status == RegistrationStatus.Held && r.HoldExpiresAt <= now)
            .ToListAsync(cancellationToken);
        foreach (var hold in expired)
        {
            hold.Status = RegistrationStatus.Expired;
            hold.UpdatedAt = now;
            e.SeatsTaken--;
        }
        return expired.Count;
    }

    private async Task PromoteWaitlistAsync(CommunityEvent e, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (e.Status != EventStatus.Published || e.EndsAt <= now) return;
        while (HasFreeSeat(e))
        {
            var free = e.Capacity is { } capacity ? capacity - e.SeatsTaken : int.MaxValue;
            var next = await db.Registrations
                .Where(r => r.EventId == e.Id && r.Status == RegistrationStatus.Waitlisted)
                .OrderBy(r => r.Sequence).Take(Math.Min(free, 100))
                .ToListAsync(cancellationToken);
            if (next.Count == 0) return;
            foreach (var registration in next) TakeSeat(e, registration, now);
            await db.SaveChangesAsync(cancellationToken);
        }
    }
}
