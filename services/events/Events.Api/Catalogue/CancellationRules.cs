using Community.Contracts.Events;
using Community.ServiceDefaults.Errors;

namespace Community.Events.Catalogue;

/// <summary>
/// How a published event is cancelled, one way for its organizer (or an admin), a deleted organizer's account and the
/// moderators' removal after a report: registrations stay (the organizer still sees who was coming, and payments
/// refunds every ticket on EventCancelled).
/// </summary>
public static class CancellationRules
{
    /// <summary>
    /// A published event that has ended stays as it took place: cancelling it would refund every ticket of an event
    /// people went to.
    /// </summary>
    public static bool IsOver(CommunityEvent e, DateTimeOffset now) =>
        e.Status == EventStatus.Published && e.EndsAt <= now;

    /// <summary>
    /// Refuses (409) to change or cancel a published event that has ended (<see cref="IsOver"/>): it stays as it took
    /// place.
    /// </summary>
    public static void ThrowIfOver(CommunityEvent e, DateTimeOffset now)
    {
        if (IsOver(e, now))
            throw new ConflictException(
                "This event is over; it stays as it took place and cannot be changed or cancelled."
            );
    }

    /// <summary>
    /// Cancels a published event (locked by the caller) as of <paramref name="now"/>; EventCancelled carries the
    /// reason and whoever was waiting for a ticket (waitlisted, or holding a seat not paid for), so they are told too.
    /// </summary>
    public static async Task CancelAsync(
        EventsDbContext db,
        CommunityEvent e,
        DateTimeOffset now,
        string? reason,
        CancellationToken cancellationToken
    )
    {
        var waiting = await db
            .Registrations.Where(r =>
                r.EventId == e.Id && (r.Status == RegistrationStatus.Waitlisted || r.Status == RegistrationStatus.Held)
            )
            .Select(r => r.UserId)
            .Distinct()
            .ToListAsync(cancellationToken);
        e.Status = EventStatus.Cancelled;
        e.CancelledAt = now;
        e.UpdatedAt = now;
        e.CancellationReason = reason;
        db.AddIntegrationEvent(
            new EventCancelled(Guid.CreateVersion7(), now, e.Id, e.CancellationReason)
            {
                Waiting = waiting,
                OrganizerUserId = e.OrganizerId,
            }
        );
    }

    /// <summary>
    /// Locks the events <paramref name="userId"/> organises and has not cancelled, in one order
    /// (OrganizerEventsEraser). A deleted account's erasure takes them before its profile row (RegistrationEraser): a
    /// photo or registration of theirs holds the event's row (key share) before it waits for that profile row, so it
    /// must never wait on an erasure that waits for it.
    /// </summary>
    public static Task LockOrganisedAsync(EventsDbContext db, Guid userId, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlAsync(
            $"""
            SELECT 1 FROM community_events WHERE organizer_id = {userId} AND status <> 'cancelled'
            ORDER BY id FOR UPDATE
            """,
            cancellationToken
        );
}
