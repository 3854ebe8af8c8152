namespace Community.Identity;

/// <summary>
/// Stores a new password and ends what the old one let in: every session and refresh token, the reset links mailed
/// before it, and the sign-ins waiting for their second factor. A reset and a signed-in change both come through here.
/// </summary>
public sealed class PasswordChanging(SessionEnding sessions, TimeProvider clock)
{
    /// <summary>
    /// Runs in the caller's transaction with the account's row locked first (a sign-in issuing tokens holds it shared,
    /// so the sessions ended here include whatever it issued); saves, and leaves the commit to the caller.
    /// </summary>
    public async Task ChangeAsync(
        IdentityDbContext db,
        User user,
        string newPassword,
        string reason,
        CancellationToken cancellationToken
    )
    {
        var now = clock.GetUtcNow();
        user.PasswordHash = PasswordHasher.Hash(newPassword);
        user.UpdatedAt = now;
        // The refresh tokens' rows before the revocations' table, in the order a logout takes them.
        await sessions.RevokeRefreshTokensAsync(db, user.Id, cancellationToken);
        await sessions.EndAllAsync(db, user.Id, reason, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        // Links sent earlier die with the old password.
        await db
            .PasswordResetTokens.Where(t => t.UserId == user.Id && t.UsedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.UsedAt, now), cancellationToken);
        // A sign-in that got past the old password and waits for its second factor ends too.
        await db.TwoFactorChallenges.Where(c => c.UserId == user.Id).ExecuteDeleteAsync(cancellationToken);
    }
}
