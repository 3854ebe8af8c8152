using System.Security.Cryptography;
using Community.ServiceDefaults.Data;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.IdentityModel.Tokens;
using OtpNet;

namespace Community.Identity.Auth;

/// <summary>
/// Second factors: TOTP codes (RFC 6238: SHA-1, 6 digits, 30 s, one step either side, each step once) and one-time
/// recovery codes; challenges that a login with the right password waits on; a per-account count of wrong answers.
/// </summary>
public sealed class TwoFactorCodes(
    IdentityDbContext db,
    IDataProtectionProvider protection,
    IOptions<IdentityOptions> options,
    LoginThrottle logins,
    TimeProvider clock
)
{
    public const int RecoveryCodeCount = 10;
    public const int MaxCodeLength = 64;
    private const string RecoveryAlphabet = "abcdefghjkmnpqrstuvwxyz23456789";
    private readonly IDataProtector _protector = protection.ForStoredSecret("two_factor_secrets");

    private TwoFactorOptions Settings => options.Value.TwoFactor;

    public Task<bool> IsOnAsync(Guid userId, CancellationToken cancellationToken) =>
        db.TwoFactorSecrets.AnyAsync(s => s.UserId == userId && s.EnabledAt != null, cancellationToken);

    /// <summary>A new pending secret for the user (replacing a pending one); the caller saves.</summary>
    public async Task<string> StartSetupAsync(Guid userId, CancellationToken cancellationToken)
    {
        var key = KeyGeneration.GenerateRandomKey(20);
        var row = await db.TwoFactorSecrets.FirstOrDefaultAsync(s => s.UserId == userId, cancellationToken);
        if (row is null)
        {
            row = new TwoFactorSecret { UserId = userId };
            db.TwoFactorSecrets.Add(row);
        }
        row.Secret = _protector.Protect(key);
        row.CreatedAt = clock.GetUtcNow();
        row.EnabledAt = null;
        row.LastUsedStep = null;
        return Base32Encoding.ToString(key);
    }

    /// <summary>
    /// Whether <paramref name="code"/> is a TOTP code of the user's secret not used before (pending secrets only
    /// when <paramref name="pending"/>) or, with the secret on, an unused recovery code; an accepted code is spent.
    /// </summary>
    public async Task<bool> VerifyAsync(Guid userId, string code, bool pending, CancellationToken cancellationToken)
    {
        var trimmed = code.Trim();
        var row = await db
            .TwoFactorSecrets.AsNoTracking()
            .FirstOrDefaultAsync(s => s.UserId == userId, cancellationToken);
        if (row is null || (row.EnabledAt is null) != pending)
            return false;
        var now = clock.GetUtcNow();
        if (trimmed.Length == 6 && trimmed.All(char.IsAsciiDigit))
        {
            var totp = new Totp(_protector.UnprotectStored(row.Secret, $"The two-factor secret of {userId}"));
            if (!totp.VerifyTotp(now.UtcDateTime, trimmed, out var step, new VerificationWindow(1, 1)))
                return false;
            // A step is spent once: a code seen by someone else a moment ago signs no one in.
            var claimed = await db
                .TwoFactorSecrets.Where(s => s.UserId == userId && (s.LastUsedStep == null || s.LastUsedStep < step))
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.LastUsedStep, step), cancellationToken);
            return claimed == 1;
        }
        if (pending)
            return false;
        var hash = Hashing.Sha256(NormalizeRecoveryCode(trimmed));
        var used = await db
            .TwoFactorRecoveryCodes.Where(c => c.UserId == userId && c.CodeHash == hash && c.UsedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.UsedAt, now), cancellationToken);
        return used == 1;
    }

    /// <summary>New recovery codes replacing any earlier ones; only their hashes are kept. The caller saves.</summary>
    public async Task<List<string>> NewRecoveryCodesAsync(Guid userId, CancellationToken cancellationToken)
    {
        await db.TwoFactorRecoveryCodes.Where(c => c.UserId == userId).ExecuteDeleteAsync(cancellationToken);
        var codes = new List<string>();
        while (codes.Count < RecoveryCodeCount)
        {
            var raw = RandomNumberGenerator.GetString(RecoveryAlphabet, 10);
            var code = $"{raw[..5]}-{raw[5..]}";
            if (codes.Contains(code))
                continue;
            codes.Add(code);
            db.TwoFactorRecoveryCodes.Add(
                new TwoFactorRecoveryCode { UserId = userId, CodeHash = Hashing.Sha256(raw) }
            );
        }
        return codes;
    }

    /// <summary>Turns two-factor sign-in off: the secret, the recovery codes and open challenges go.</summary>
    public async Task RemoveAsync(Guid userId, CancellationToken cancellationToken)
    {
        await db.TwoFactorChallenges.Where(c => c.UserId == userId).ExecuteDeleteAsync(cancellationToken);
        await db.TwoFactorRecoveryCodes.Where(c => c.UserId == userId).ExecuteDeleteAsync(cancellationToken);
        await db.TwoFactorSecrets.Where(s => s.UserId == userId).ExecuteDeleteAsync(cancellationToken);
    }

    /// <summary>A challenge for a login whose password was right; the caller saves.</summary>
    public async Task<TwoFactorChallengeResponse> StartChallengeAsync(Guid userId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var challenge = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
        db.TwoFactorChallenges.Add(
            new TwoFactorChallenge
            {
                ChallengeHash = Hashing.Sha256(challenge),
                UserId = userId,
                CreatedAt = now,
                ExpiresAt = now + Settings.ChallengeLifetime,
            }
        );
        return new TwoFactorChallengeResponse(true, challenge, (int)Settings.ChallengeLifetime.TotalSeconds);
    }

    /// <summary>
    /// Counts one answer to the challenge and returns its user; null when the challenge is unknown, used, expired or
    /// out of attempts.
    /// </summary>
    public async Task<Guid?> CountAttemptAsync(string challenge, CancellationToken cancellationToken)
    {
        var hash = Hashing.Sha256(challenge);
        var now = clock.GetUtcNow();
        var users = await db
            .Database.SqlQuery<Guid>(
                $"""
                UPDATE two_factor_challenges SET attempts = attempts + 1
                WHERE challenge_hash = {hash} AND expires_at > {now} AND attempts < {Settings.AttemptsPerChallenge}
                RETURNING user_id AS "Value"
                """
            )
            .ToListAsync(cancellationToken);
        return users.Count == 1 ? users[0] : null;
    }

    /// <summary>
    /// Whose account a live challenge belongs to, read without counting or locking it: the account's row is locked
    /// (<see cref="GuardAsync"/>) before the challenge's, in the order turning two-factor off or deleting the account
    /// takes them.
    /// </summary>
    public Task<Guid?> ChallengeOwnerAsync(string challenge, CancellationToken cancellationToken)
    {
        var hash = Hashing.Sha256(challenge);
        var now = clock.GetUtcNow();
        return db
            .TwoFactorChallenges.AsNoTracking()
            .Where(c => c.ChallengeHash == hash && c.ExpiresAt > now)
            .Select(c => (Guid?)c.UserId)
            .FirstOrDefaultAsync(cancellationToken);
    }

    /// <summary>Spends the challenge: it answers one right code only.</summary>
    public Task<int> SpendChallengeAsync(string challenge, CancellationToken cancellationToken)
    {
        var hash = Hashing.Sha256(challenge);
        return db.TwoFactorChallenges.Where(c => c.ChallengeHash == hash).ExecuteDeleteAsync(cancellationToken);
    }

    /// <summary>
    /// 429 once too many wrong codes or passwords were given in the window: for the account, or, at an address it
    /// signed in from lately (its owner's), from that address only, so a stranger holding the password cannot lock the
    /// owner out by guessing codes elsewhere. Takes the account's row until the caller's transaction ends, so its
    /// guesses are judged one at a time: guesses sent at once would each read the count before any failure was
    /// recorded, and all slip under the limit.
    /// </summary>
    public async Task GuardAsync(Guid userId, string address, CancellationToken cancellationToken)
    {
        await db.Database.ExecuteSqlAsync($"SELECT 1 FROM users WHERE id = {userId} FOR UPDATE", cancellationToken);
        var (accountKey, atAddressKey) = FailureKeys(userId, address);
        var now = clock.GetUtcNow();
        var since = now - Settings.Window;
        var counts = await db
            .LoginFailures.AsNoTracking()
            .Where(f => (f.Key == accountKey || f.Key == atAddressKey) && f.WindowStartedAt > since)
            .ToListAsync(cancellationToken);
        var judged = await logins.IsUsualAddressAsync(userId, LoginThrottle.Bounded(address), now, cancellationToken)
            ? counts.Where(f => f.Key == atAddressKey)
            : counts;
        if (judged.Where(f => f.Failures >= Settings.FailuresPerWindow).MaxBy(f => f.WindowStartedAt) is { } over)
            throw new TooManyRequestsException(
                "Too many wrong passwords or two-factor codes for this account; try again later.",
                over.WindowStartedAt + Settings.Window - now
            );
    }

    /// <summary>One more wrong code or password, for the account and for it at <paramref name="address"/>.</summary>
    public async Task RecordFailureAsync(Guid userId, string address, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var (accountKey, atAddressKey) = FailureKeys(userId, address);
        foreach (var key in new[] { accountKey, atAddressKey })
            await LoginThrottle.CountFailureAsync(db, key, now, now - Settings.Window, cancellationToken);
    }

    /// <summary>The otpauth URI an authenticator app reads (usually from a QR code).</summary>
    public string OtpauthUri(string username, string secret)
    {
        var issuer = Uri.EscapeDataString(Settings.Issuer);
        return $"otpauth://totp/{issuer}:{Uri.EscapeDataString(username)}?secret={secret}&issuer={issuer}"
            + "&algorithm=SHA1&digits=6&period=30";
    }

    private static (string Account, string AtAddress) FailureKeys(Guid userId, string address) =>
        ("two_factor:" + userId, "two_factor:" + userId + "|ip:" + LoginThrottle.Bounded(address));

    private static string NormalizeRecoveryCode(string code) =>
        code.Replace("-", "").Replace(" ", "").ToLowerInvariant();
}
