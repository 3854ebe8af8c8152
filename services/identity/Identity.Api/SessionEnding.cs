using Community.Contracts.Identity;

namespace Community.Identity;

/// <summary>
/// Ends sessions for every service at once: a row for identity's revocation feed and an integration
/// event through the outbox, both saved by the caller's SaveChanges inside the caller's transaction.
/// </summary>
public sealed class SessionEnding(IOptions<IdentityOptions> options, IOptions<JwtOptions> jwt, TimeProvider clock)
{
    public const string Logout = "logout";
    public const string RefreshTokenReused = "refresh_token_reused";
    public const string PasswordReset = "password_reset";
    public const string PasswordChanged = "password_changed";
    public const string UserDeleted = "user_deleted";
    public const string RoleChanged = "role_changed";
    public const string Suspended = "suspended";
    public const string TwoFactorReset = "two_factor_reset";
    public const string SignedOutElsewhere = "signed_out_elsewhere";
    public const string TwoFactorTurnedOn = "two_factor_turned_on";

    /// <summary>Rows are kept this long after their tokens expired, then deleted by the next writer.</summary>
    private static readonly TimeSpan Retention = TimeSpan.FromDays(1);

    /// <summary>Ends one session (the token's <c>sid</c>, a refresh-token family).</summary>
    public Task EndSessionAsync(
        IdentityDbContext db,
        Guid userId,
        Guid sessionId,
        string reason,
        CancellationToken cancellationToken
    ) => EndSessionsAsync(db, userId, [sessionId], reason, cancellationToken);

    /// <summary>
    /// Ends some sessions of a user, each as <see cref="EndSessionAsync"/> does, taking the feed's lock once.
    /// </summary>
    public async Task EndSessionsAsync(
        IdentityDbContext db,
        Guid userId,
        IReadOnlyCollection<Guid> sessionIds,
        string reason,
        CancellationToken cancellationToken
    )
    {
        if (sessionIds.Count == 0)
            return;
        var (now, expireBy) = await LockFeedAsync(db, cancellationToken);
        foreach (var sessionId in sessionIds)
        {
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
    }

    /// <summary>
    /// Ends every session of a user but <paramref name="keep"/> (the caller's <c>sid</c>), each as
    /// <see cref="EndSessionAsync"/> does: each refresh-token family that may still refresh or whose access tokens may
    /// still be accepted. The caller holds the account's row, so no sign-in or refresh issues tokens meanwhile.
    /// Answers how many ended.
    /// </summary>
    public async Task<int> EndOthersAsync(
        IdentityDbContext db,
        Guid userId,
        Guid keep,
        string reason,
        CancellationToken cancellationToken
    )
    {
        var now = clock.GetUtcNow();
        // An access token is accepted until its expiry and the services' clock skew.
        var accessLiveSince =
            now - options.Value.AccessTokenLifetime - TimeSpan.FromSeconds(jwt.Value.ClockSkewSeconds);
        // In one statement, however many families there are.
        var revoked = await db
            .Database.SqlQuery<Guid>(
                $"""
                UPDATE refresh_tokens SET revoked_at = {now}
                WHERE user_id = {userId} AND revoked_at IS NULL AND family_id IN (
                    SELECT family_id FROM refresh_tokens
                    WHERE user_id = {userId} AND family_id <> {keep} AND revoked_at IS NULL
                        AND (expires_at > {now} OR created_at > {accessLiveSince}))
                RETURNING family_id AS "Value"
                """
            )
            .ToListAsync(cancellationToken);
        var ended = revoked.Distinct().ToList();
        await EndSessionsAsync(db, userId, ended, reason, cancellationToken);
        return ended.Count;
    }

    /// <summary>
    /// Ends every session of a user: tokens issued before its cutoff (the next whole second, or later) are refused.
    /// </summary>
    public async Task EndAllAsync(IdentityDbContext db, Guid userId, string reason, CancellationToken cancellationToken)
    {
        var (now, expireBy) = await LockFeedAsync(db, cancellationToken);
        var notBefore = await NotBeforeAsync(db, userId, now, cancellationToken);
        db.SessionRevocations.Add(
            new SessionRevocation
            {
                UserId = userId,
                NotBefore = notBefore,
                Reason = reason,
                OccurredAt = now,
                TokensExpireBy = expireBy,
            }
        );
        db.AddIntegrationEvent(new UserSessionsEnded(Guid.CreateVersion7(), now, userId, notBefore, reason, expireBy));
    }

    /// <summary>
    /// The cutoff of an end at <paramref name="now"/>, in the whole seconds tokens carry (iat): the next second, so a
    /// token issued earlier in this second is refused; and past every earlier cutoff of the user, because a token
    /// issued after one of those in its second carries that cutoff (<see cref="Auth.TokenIssuer"/>) and must not
    /// outlive this end (a password changed, then a suspension or a demotion, in the same second).
    /// </summary>
    private static async Task<DateTimeOffset> NotBeforeAsync(
        IdentityDbContext db,
        Guid userId,
        DateTimeOffset now,
        CancellationToken cancellationToken
    )
    {
        var next = WholeSecondUp(now.AddTicks(1));
        var latest = await db
            .SessionRevocations.Where(r => r.UserId == userId && r.NotBefore != null)
            .MaxAsync(r => r.NotBefore, cancellationToken);
        // A cutoff stored before they were whole seconds is carried rounded up, as the issuer rounds it.
        return latest is { } earlier && WholeSecondUp(earlier) is var carried && carried >= next
            ? carried.AddSeconds(1)
            : next;
    }

    /// <summary>The instant if it is a whole second, else the next whole second: as an iat can carry it.</summary>
    public static DateTimeOffset WholeSecondUp(DateTimeOffset instant) =>
        instant.UtcTicks % TimeSpan.TicksPerSecond is var remainder and not 0
            ? instant.AddTicks(TimeSpan.TicksPerSecond - remainder)
            : instant;

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
