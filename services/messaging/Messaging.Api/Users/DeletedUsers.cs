namespace Community.Messaging.Users;

/// <summary>
/// Whether a message names a deleted account, from its profile's tombstone read under a share lock: the UserDeleted
/// consumer writes the tombstone first (<see cref="UserProfileEraser"/>), so a write racing the deletion either waits
/// and sees it, or commits first and is erased with the rest. Called inside the consumer's transaction.
/// </summary>
public static class DeletedUsers
{
    public static async Task<bool> AnyAsync(
        MessagingDbContext db,
        Guid[] userIds,
        CancellationToken cancellationToken
    ) =>
        (
            await db
                .Database.SqlQuery<bool>(
                    $"""
                    SELECT deleted_at IS NOT NULL AS "Value" FROM user_profiles
                    WHERE user_id = ANY({userIds}) FOR SHARE
                    """
                )
                .ToListAsync(cancellationToken)
        ).Contains(true);

    /// <summary>
    /// Which of <paramref name="userIds"/> are deleted accounts, read as <see cref="AnyAsync"/> reads them: every
    /// profile row under a share lock (in one order), so a deletion under way is waited for and then seen. Filtered
    /// here, not in SQL: a condition on the tombstone would be checked before the lock, on the row as it was.
    /// </summary>
    public static async Task<List<Guid>> AmongAsync(
        MessagingDbContext db,
        Guid[] userIds,
        CancellationToken cancellationToken
    ) =>
        [
            .. (
                await db
                    .Database.SqlQuery<Guid?>(
                        $"""
                        SELECT CASE WHEN deleted_at IS NOT NULL THEN user_id END AS "Value" FROM user_profiles
                        WHERE user_id = ANY({userIds}) ORDER BY user_id FOR SHARE
                        """
                    )
                    .ToListAsync(cancellationToken)
            ).OfType<Guid>(),
        ];
}
