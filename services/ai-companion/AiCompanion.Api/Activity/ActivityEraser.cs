using Community.Contracts.Identity;

namespace Community.AiCompanion.Activity;

/// <summary>A deleted account's feed goes, and so does every item about them in others' feeds.</summary>
public sealed class ActivityEraser(CompanionDbContext db) : IUserDataEraser
{
    public Task EraseAsync(UserDeleted deleted, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlAsync(
            $"DELETE FROM activity_items WHERE user_id = {deleted.UserId} OR about_user_id = {deleted.UserId}",
            cancellationToken
        );
}
