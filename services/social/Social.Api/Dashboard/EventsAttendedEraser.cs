using Community.Contracts.Identity;

namespace Community.Social.Dashboard;

/// <summary>The events a deleted account checked in at.</summary>
public sealed class EventsAttendedEraser(SocialDbContext db) : IUserDataEraser
{
    public Task EraseAsync(UserDeleted deleted, CancellationToken cancellationToken) =>
        db.EventsAttended.Where(a => a.UserId == deleted.UserId).ExecuteDeleteAsync(cancellationToken);
}
