using Community.Contracts.Identity;

namespace Community.Social.Profiles;

/// <summary>A deleted account's innovator profile.</summary>
public sealed class InnovatorProfileEraser(SocialDbContext db) : IUserDataEraser
{
    public Task EraseAsync(UserDeleted deleted, CancellationToken cancellationToken) =>
        db.InnovatorProfiles.Where(p => p.UserId == deleted.UserId).ExecuteDeleteAsync(cancellationToken);
}
