using Community.Contracts.Identity;

namespace Community.Events.Catalogue;

/// <summary>
/// The events a deleted account organised are withdrawn: drafts deleted, upcoming ones cancelled so attendees hear of
/// it. Past events stay, as history of those who went. Every one of them loses its cover (PhotoEraser, run after).
/// </summary>
public sealed class OrganizerEventsEraser(EventsDbContext db, TimeProvider clock) : IUserDataEraser
{
    public async Task EraseAsync(UserDeleted deleted, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        // Locked first, so what is read is what is changed: a draft published meanwhile is cancelled (its registrations
        // told), not deleted; a cover uploaded meanwhile is seen and goes (PhotoEraser).
        await CancellationRules.LockOrganisedAsync(db, deleted.UserId, cancellationToken);
        var organised = await db
            .CommunityEvents.Where(e => e.OrganizerId == deleted.UserId && e.Status != EventStatus.Cancelled)
            .ToListAsync(cancellationToken);
        foreach (var e in organised)
        {
            if (e.Status == EventStatus.Draft)
            {
                db.CommunityEvents.Remove(e);
            }
            else if (!CancellationRules.IsOver(e, now))
            {
                await CancellationRules.CancelAsync(
                    db,
                    e,
                    now,
                    "The organizer's account was deleted.",
                    cancellationToken
                );
            }
        }
    }
}
