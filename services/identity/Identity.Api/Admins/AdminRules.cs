using Community.Contracts;

namespace Community.Identity.Admins;

/// <summary>
/// The platform keeps an admin in force (an admin not suspended): what can take one away (a role change, a
/// suspension) runs one at a time, and the acting admin is checked again once their turn comes.
/// </summary>
public static class AdminRules
{
    /// <summary>Locks the admins' rows to the caller's transaction: such changes wait for one another.</summary>
    public static Task LockAdminsAsync(IdentityDbContext db, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlAsync(
            $"SELECT 1 FROM users WHERE role = {Roles.Admin} ORDER BY id FOR UPDATE",
            cancellationToken
        );

    /// <summary>
    /// As <see cref="LockAdminsAsync(IdentityDbContext, CancellationToken)"/>, then refuses (403) a caller no longer an
    /// admin in force: the token they acted with may carry a role or a standing taken from them while they waited.
    /// </summary>
    public static async Task LockAdminsAsync(
        IdentityDbContext db,
        Guid callerId,
        DateTimeOffset now,
        CancellationToken cancellationToken
    )
    {
        await LockAdminsAsync(db, cancellationToken);
        if (!await InForce(db, now).AnyAsync(u => u.Id == callerId, cancellationToken))
            throw new ForbiddenException("You are no longer an admin.");
    }

    /// <summary>
    /// Whether <paramref name="user"/> is the only admin in force left; read under
    /// <see cref="LockAdminsAsync(IdentityDbContext, CancellationToken)"/>.
    /// </summary>
    public static async Task<bool> IsLastInForceAsync(
        IdentityDbContext db,
        User user,
        DateTimeOffset now,
        CancellationToken cancellationToken
    ) =>
        user.Role == Roles.Admin
        && !user.IsSuspendedAt(now)
        && !await InForce(db, now).AnyAsync(u => u.Id != user.Id, cancellationToken);

    // A suspension without an end lasts until lifted: its NULL end compares as false.
    private static IQueryable<User> InForce(IdentityDbContext db, DateTimeOffset now) =>
        db.Users.Where(u => u.Role == Roles.Admin && (u.SuspendedAt == null || u.SuspendedUntil <= now));
}
