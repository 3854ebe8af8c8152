using Community.Contracts.Identity;

namespace Community.Events.Users;

/// <summary>
/// The projected names go last; the row stays, nameless, so a late profile message cannot bring them back.
/// </summary>
public sealed class UserProfileEraser(EventsDbContext db) : IUserDataEraser
{
    public Task EraseAsync(UserDeleted deleted, CancellationToken cancellationToken) =>
        UserProfileProjection.EraseAsync(db, deleted.UserId, deleted.OccurredAt, cancellationToken);
}
