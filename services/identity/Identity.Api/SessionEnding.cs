using Community.Contracts.Identity;

namespace Community.Identity;

/// <summary>
/// Ends sessions for every service at once: a row for identity's revocation feed and an integration
/// event through the outbox, both saved by the caller's SaveChanges inside the caller's transaction.
/// </summary>
public sealed class SessionEnding(IOptions<IdentityOptions> options, TimeProvider clock)
{
    public const string Logout = "logout";
    public const string RefreshTokenReused = "refresh_token_reused";
    public const string PasswordReset = "password_reset";
    public const string PasswordChanged = "password_changed";
    public const string UserDeleted = "user_deleted";
    public const string RoleChanged = "role_changed";
    public const string Suspended = "suspended";

    /// <summary>Rows are kept this long after their tokens expired, then deleted by the next writer.</summary>
    private static readonly TimeSpan Retention = TimeSpan.FromDays(1);

    /// <summary>Ends one session (the token's <c>sid</c>, a refresh-token family).</summary>
    public async Task EndSessionAsync(
        IdentityDbContext db,
        Guid userId,
        Guid sessionId,
        string reason,
        CancellationToken cancellationToken
    )
    {
        var (now, expireBy) = await LockFeedAsync(db, cancellationToken);
        db.SessionRevocations.Add(
            new SessionRevocation
            {
                UserId = userId,
                SessionId = sessionId,
                Reason = reason,
                OccurredAt = now,
                TokensExpireBy = expireBy,
            }
        );
        db.AddIntegrationEvent(new SessionEnded(Guid.CreateVersion7(), now, userId, sessionId, expireBy));
    }

    /// <summary>Ends every session of a user: tokens issued before now are refused.</summary>
    public async Task EndAllAsync(IdentityDbContext db, Guid userId, string reason, CancellationToken cancellationToken)
    {
        var (now, expireBy) = await LockFeedAsync(db, cancellationToken);
        db.SessionRevocations.Add(
            new SessionRevocation
            {
                UserId = userId,
                NotBefore = now,
                Reason = reason,
                OccurredAt = now,
                TokensExpireBy = expireBy,
            }
        );
        db.AddIntegrationEvent(new UserSessionsEnded(Guid.CreateVersion7(), now, userId, now, reason, expireBy));
    }

    /// <summary>Revokes every live refresh token of a user (a new password, a suspension).</summary>
    public Task RevokeRefreshTokensAsync(IdentityDbContext db, Guid userId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        return db
            .RefreshTokens.Where(t => t.UserId == userId && t.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.RevokedAt, now), cancellationToken);
    }

    // Writers take turns until commit, so sequences become visible in order and a reader's cursor never skips one.
    private async Task<(DateTimeOffset Now, DateTimeOffset ExpireBy)> LockFeedAsync(
        IdentityDbContext db,
        CancellationToken cancellationToken
    )
    {
        if (db.Database.CurrentTransaction is null)
            throw new InvalidOperationException("Sessions are ended inside the caller's transaction.");
        await db.Database.ExecuteSqlRawAsync(
            "LOCK TABLE session_revocations IN SHARE ROW EXCLUSIVE MODE",
            cancellationToken
        );
        var now = clock.GetUtcNow();
        var forgotten = now - Retention;
        await db.SessionRevocations.Where(r => r.TokensExpireBy < forgotten).ExecuteDeleteAsync(cancellationToken);
        return (now, now + options.Value.AccessTokenLifetime);
    }
}
