using Community.Contracts.Identity;

namespace Community.Social.Users;

/// <summary>
/// The projection's share: the profile becomes a nameless tombstone that later messages cannot revive.
/// </summary>
public sealed class UserProfileEraser(SocialDbContext db) : IUserDataEraser
{
    public Task EraseAsync(UserDeleted deleted, CancellationToken cancellationToken) =>
        UserProfileProjection.EraseAsync(db, deleted.UserId, deleted.OccurredAt, cancellationToken);
}
