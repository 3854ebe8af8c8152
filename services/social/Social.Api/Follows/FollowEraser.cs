using Community.Contracts.Identity;

namespace Community.Social.Follows;

/// <summary>A deleted account's follows, both ways.</summary>
public sealed class FollowEraser(SocialDbContext db) : IUserDataEraser
{
    public Task EraseAsync(UserDeleted deleted, CancellationToken cancellationToken) =>
        db
            .Follows.Where(f => f.FollowerId == deleted.UserId || f.FollowedId == deleted.UserId)
            .ExecuteDeleteAsync(cancellationToken);
}
