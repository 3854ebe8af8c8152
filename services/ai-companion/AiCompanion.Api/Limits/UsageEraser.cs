using Community.Contracts.Identity;

namespace Community.AiCompanion.Limits;

/// <summary>A deleted account's usage counts go with it.</summary>
public sealed class UsageEraser(CompanionDbContext db) : IUserDataEraser
{
    public Task EraseAsync(UserDeleted deleted, CancellationToken cancellationToken) =>
        db.CompanionUsage.Where(u => u.UserId == deleted.UserId).ExecuteDeleteAsync(cancellationToken);
}
