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
}
