using Community.Contracts.Identity;

namespace Community.Social.Feed;

/// <summary>
/// A deleted account's activity goes, and so does everyone's activity about them (follows, connections).
/// </summary>
public sealed class FeedEraser(SocialDbContext db) : IUserDataEraser
{
    public Task EraseAsync(UserDeleted deleted, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlAsync(
            $"DELETE FROM activities WHERE actor_id = {deleted.UserId} OR subject_user_id = {deleted.UserId}",
            cancellationToken
        );
}
