using Community.Contracts.Identity;

namespace Community.AiCompanion.Users;

/// <summary>
/// The profile becomes a tombstone (so a late event cannot bring it back), its tier that of a row never subscribed,
/// and the user's blocks go.
/// </summary>
public sealed class UserProfileEraser(CompanionDbContext db) : IUserDataEraser
{
    public async Task EraseAsync(UserDeleted deleted, CancellationToken cancellationToken)
    {
        var (userId, at) = (deleted.UserId, deleted.OccurredAt);
        // The blocks being written now are deleted below; those written later see the tombstone (the erasure holds the
        // ErasureGate, UserDeletedConsumerBase).
        await db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO user_profiles (user_id, as_of, deleted_at) VALUES ({userId}, {at}, {at})
            ON CONFLICT (user_id) DO UPDATE SET username = NULL, region = NULL, city = NULL, country = NULL,
                interests = ARRAY[]::text[], identity_badge = NULL, date_of_birth = NULL, tier = DEFAULT,
                tier_as_of = DEFAULT,
                as_of = GREATEST(user_profiles.as_of, EXCLUDED.as_of),
                deleted_at = COALESCE(user_profiles.deleted_at, EXCLUDED.deleted_at)
            """,
            cancellationToken
        );
        await db
            .Blocks.Where(b => b.BlockerId == userId || b.BlockedId == userId)
            .ExecuteDeleteAsync(cancellationToken);
    }
}
