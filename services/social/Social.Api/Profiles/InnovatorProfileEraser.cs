using Community.Contracts.Identity;

namespace Community.Social.Profiles;

/// <summary>A deleted account's innovator profile and the count of its analyses.</summary>
public sealed class InnovatorProfileEraser(SocialDbContext db) : IUserDataEraser
{
    public async Task EraseAsync(UserDeleted deleted, CancellationToken cancellationToken)
    {
        await db.InnovatorProfiles.Where(p => p.UserId == deleted.UserId).ExecuteDeleteAsync(cancellationToken);
        await db.ProfileAnalysisUses.Where(u => u.UserId == deleted.UserId).ExecuteDeleteAsync(cancellationToken);
    }
}
