using Community.Contracts.Identity;
using Community.ServiceDefaults.Api;

namespace Community.Identity.Suspensions;

/// <summary>
/// Suspends and lifts: the account's sessions end as a logout ends them (revocation feed and event, so the gateway
/// and the hubs drop them) and its refresh tokens are revoked. Runs in the caller's transaction; the caller saves.
/// </summary>
public sealed class Suspending(SessionEnding sessions, TimeProvider clock)
{
    /// <summary>
    /// Suspends <paramref name="user"/> until <paramref name="until"/> (null: until lifted);
    /// <paramref name="decidedAt"/> is when it was decided (a report's resolution), now when not given.
    /// </summary>
    public async Task SuspendAsync(
        IdentityDbContext db,
        User user,
        DateTimeOffset? until,
        string? reason,
        Guid byUserId,
        Guid? reportId,
        CancellationToken cancellationToken,
        DateTimeOffset? decidedAt = null
    )
    {
        // Waits for sign-ins holding the row (SuspensionRules): their tokens exist by now and end below.
        await db.Database.ExecuteSqlAsync($"SELECT 1 FROM users WHERE id = {user.Id} FOR UPDATE", cancellationToken);
        var now = clock.GetUtcNow();
        user.SuspensionDecidedAt = UtcTimestamps.AsStored(decidedAt ?? now);
        user.SuspendedAt = now;
        user.SuspendedUntil = until;
        user.SuspensionReason = reason;
        user.UpdatedAt = now;
        await sessions.RevokeRefreshTokensAsync(db, user.Id, cancellationToken);
        await sessions.EndAllAsync(db, user.Id, SessionEnding.Suspended, cancellationToken);
        db.AddIntegrationEvent(
            new UserSuspended(Guid.CreateVersion7(), now, user.Id, until, reason, byUserId, reportId)
        );
    }

    /// <summary>
    /// Lifts a suspension in force; false when there is none. Either way the admin's decision is recorded, so a
    /// report's resolution older than it that is handled later (one waiting in a backlog) does not suspend again.
    /// </summary>
    public bool Lift(IdentityDbContext db, User user, Guid byUserId)
    {
        var now = clock.GetUtcNow();
        user.SuspensionDecidedAt = UtcTimestamps.AsStored(now);
        if (!user.IsSuspendedAt(now))
            return false;
        user.SuspendedAt = null;
        user.SuspendedUntil = null;
        user.SuspensionReason = null;
        user.UpdatedAt = now;
        db.AddIntegrationEvent(new UserSuspensionLifted(Guid.CreateVersion7(), now, user.Id, byUserId));
        return true;
    }
}
