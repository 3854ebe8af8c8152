using Community.ServiceDefaults.Errors;

namespace Community.Events.Users;

/// <summary>
/// Writes that name an account race its erasure, which locks the account's profile row (FOR UPDATE) before it reads
/// what to erase. A write holds that row shared until it commits, so the erasure either committed before and its
/// tombstone is read here, or waits for the write and erases what it wrote. The erasure locks the events the account
/// organises, then its profile row, then the rest (RegistrationEraser): a write holds the profile row after the first
/// (PhotosApi) and before the rest (an event's invitations, a course enrolled in), so neither waits on the other.
/// </summary>
public static class ErasedAccounts
{
    public const string Deleted = "This account was deleted.";

    /// <summary>403 when the account was erased; its profile row is held until the commit.</summary>
    public static async Task ThrowIfErasedAsync(EventsDbContext db, Guid userId, CancellationToken cancellationToken)
    {
        if ((await AmongAsync(db, [userId], cancellationToken)).Count > 0)
            throw new ForbiddenException(Deleted);
    }

    /// <summary>
    /// 403 when the account was erased, read under the <see cref="ErasureGate"/> (entered here, held until the commit):
    /// for a write naming an account whose profile row it cannot hold, as a check-in cannot its checker's. An erasure
    /// under way is waited for, and one that comes later waits for this write; the gate must be its first lock.
    /// </summary>
    public static async Task EnterGateThrowIfErasedAsync(
        EventsDbContext db,
        Guid userId,
        CancellationToken cancellationToken
    )
    {
        if (db.Database.CurrentTransaction is null)
            throw new InvalidOperationException("The gate is held in the caller's transaction: begin one.");
        await ErasureGate.EnterAsync(db, cancellationToken);
        if (await db.UserProfiles.AnyAsync(p => p.UserId == userId && p.DeletedAt != null, cancellationToken))
            throw new ForbiddenException(Deleted);
    }

    /// <summary>Those of <paramref name="userIds"/> whose accounts were erased; their profile rows are held.</summary>
    public static async Task<HashSet<Guid>> AmongAsync(
        EventsDbContext db,
        IReadOnlyCollection<Guid> userIds,
        CancellationToken cancellationToken
    )
    {
        if (db.Database.CurrentTransaction is null)
            throw new InvalidOperationException("The profile rows are held in the caller's transaction: begin one.");
        if (userIds.Count == 0)
            return [];
        var ids = userIds.ToArray();
        var erased = await db
            .Database.SqlQuery<Guid>(
                $"""
                WITH profile AS MATERIALIZED (
                    SELECT user_id, deleted_at IS NOT NULL AS erased FROM user_profiles WHERE user_id = ANY ({ids})
                    ORDER BY user_id FOR SHARE)
                SELECT user_id AS "Value" FROM profile WHERE erased
                """
            )
            .ToListAsync(cancellationToken);
        return [.. erased];
    }
}
