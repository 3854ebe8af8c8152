using Community.Contracts.Identity;

namespace Community.Events.Catalogue;

/// <summary>
/// The events a deleted account organised are withdrawn: drafts deleted, upcoming ones cancelled so attendees hear of
/// it. Past events stay, as history of those who went.
/// </summary>
public sealed class OrganizerEventsEraser(EventsDbContext db, TimeProvider clock) : IUserDataEraser
{
    public async Task EraseAsync(UserDeleted deleted, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
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
                CancellationRules.Cancel(db, e, now, "The organizer's account was deleted.");
            }
        }
    }
}
