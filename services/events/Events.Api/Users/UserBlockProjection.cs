namespace Community.Events.Users;

/// <summary>
/// Writes the block projection: one statement each, so the two queues delivering in any order leave the newest.
/// </summary>
public static class UserBlockProjection
{
    /// <summary>
    /// The pair's state as of <paramref name="asOf"/>, unless a newer message wrote. A pair with a deleted account
    /// (its profile row says so) is not recorded: its lifted rows were erased and must not come back, and those that
    /// hold stay as they were at the deletion. The caller holds the <see cref="ErasureGate"/> (its first step), so an
    /// erasure under way is waited for and its tombstone read, and one that comes later erases what this wrote.
    /// </summary>
    public static Task<int> ApplyAsync(
        EventsDbContext db,
        Guid blocker,
        Guid blocked,
        bool isBlocked,
        DateTimeOffset asOf,
        CancellationToken cancellationToken
    ) =>
        db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO user_blocks (blocker_user_id, blocked_user_id, blocked, as_of)
            SELECT {blocker}, {blocked}, {isBlocked}, {asOf.ToUniversalTime()}
            WHERE NOT EXISTS (
                SELECT 1 FROM user_profiles WHERE user_id IN ({blocker}, {blocked}) AND deleted_at IS NOT NULL)
            ON CONFLICT (blocker_user_id, blocked_user_id) DO UPDATE SET blocked = EXCLUDED.blocked,
                as_of = EXCLUDED.as_of
            WHERE user_blocks.as_of < EXCLUDED.as_of
            """,
            cancellationToken
        );
}
