namespace Community.Payments.Users;

/// <summary>What every feature that delivers or rewards reads of identity's accounts.</summary>
public static class KnownUserRules
{
    /// <summary>
    /// Whether identity deleted the account, read under a share lock: the UserDeleted consumer marks it first
    /// (<see cref="KnownUserEraser"/>), so either its erasers see what the caller's transaction writes or the caller
    /// sees the deletion.
    /// </summary>
    public static async Task<bool> IsDeletedAsync(
        PaymentsDbContext db,
        Guid userId,
        CancellationToken cancellationToken
    ) =>
        (
            await db
                .Database.SqlQuery<bool>(
                    $"""
                    SELECT deleted_at IS NOT NULL AS "Value" FROM known_users WHERE user_id = {userId} FOR SHARE
                    """
                )
                .ToListAsync(cancellationToken)
        ).Contains(true);
}
