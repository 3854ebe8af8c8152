using Community.Contracts.Identity;

namespace Community.AiCompanion.Activity;

/// <summary>A deleted account's feed goes, and so does every item about them in others' feeds.</summary>
public sealed class ActivityEraser(CompanionDbContext db) : IUserDataEraser
{
    public async Task EraseAsync(UserDeleted deleted, CancellationToken cancellationToken)
    {
        // The erasure holds the gate (UserDeletedConsumerBase): after every item being written now (they are deleted
        // here), before any written later (they see the tombstone).
        await db.Database.ExecuteSqlAsync(
            $"DELETE FROM activity_items WHERE user_id = {deleted.UserId} OR about_user_id = {deleted.UserId}",
            cancellationToken
        );
    }
}
