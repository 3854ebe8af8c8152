using System.Security.Claims;
using System.Security.Cryptography;
using Community.Identity.Suspensions;
using Community.ServiceDefaults.Api;
using Community.ServiceDefaults.Data;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Community.Identity.Auth;

public sealed record TokenPair(string AccessToken, string RefreshToken, int ExpiresIn);

/// <summary>One sign-in's refresh-token family and when the sign-in happened, which bounds how long it lasts.</summary>
public sealed record RefreshSession(Guid FamilyId, DateTimeOffset StartedAt);

/// <summary>
/// Issues access tokens (ES256 JWT) and opaque refresh tokens (256 random bits, stored as SHA-256 hashes).
/// </summary>
public sealed class TokenIssuer(
    SigningKeyStore keys,
    IOptions<IdentityOptions> identityOptions,
    IOptions<JwtOptions> jwtOptions,
    TimeProvider clock
)
{
    private static readonly JsonWebTokenHandler Handler = new();

    /// <summary>
    /// The refresh-token family of the login that issued the token, so logout needs nothing but the access token.
    /// </summary>
    public const string SessionClaim = ClaimNames.Session;

    /// <summary>
    /// Issues a new pair; the refresh token joins <paramref name="session"/>'s family (a new family, signed in now,
    /// when null) and expires by the session's end at the latest. Caller saves. Every sign-in path comes through here,
    /// so a suspended account gets no tokens whichever path it takes.
    /// </summary>
    public async Task<TokenPair> IssueAsync(
        IdentityDbContext db,
        User user,
        RefreshSession? session,
        CancellationToken cancellationToken,
        string? passwordHashChecked = null
    )
    {
        var now = clock.GetUtcNow();
        await SuspensionRules.ThrowIfSuspendedAsync(db, user.Id, now, cancellationToken);
        // Read again under that share lock: the caller read the account before it, and a password reset or a role
        // change committed since (each locks the row first) must not be outrun by a token made from the older read.
        var current = await db
            .Users.AsNoTracking()
            .Where(u => u.Id == user.Id)
            .Select(u => new
            {
                u.Role,
                u.Tier,
                u.PasswordHash,
            })
            .SingleOrDefaultAsync(cancellationToken);
        // (A deleted account has no row: nothing was checked against it.)
        if (passwordHashChecked is not null && current?.PasswordHash != passwordHashChecked)
            throw new UnauthorizedException("The identifier or the password is wrong.");
        var options = identityOptions.Value;
        var refresh = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
        var family = session?.FamilyId ?? Guid.NewGuid();
        var startedAt = session?.StartedAt ?? now;
        var expiresAt = now + options.RefreshTokenLifetime;
        var sessionEndsAt = startedAt + options.SessionLifetime;
        db.RefreshTokens.Add(
            new RefreshToken
            {
                Id = NewId.Next(now),
                FamilyId = family,
                UserId = user.Id,
                TokenHash = Hashing.Sha256(refresh),
                CreatedAt = now,
                ExpiresAt = expiresAt < sessionEndsAt ? expiresAt : sessionEndsAt,
                SessionStartedAt = startedAt,
            }
        );

        var issuedAt = await IssuedAtAsync(db, user.Id, now, cancellationToken);
        var key = await keys.GetSigningKeyAsync(cancellationToken);
        var descriptor = new SecurityTokenDescriptor
        {
            TokenType = "at+jwt",
            Issuer = jwtOptions.Value.Issuer,
            Audience = jwtOptions.Value.Audience,
            IssuedAt = issuedAt.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = (now + options.AccessTokenLifetime).UtcDateTime,
            SigningCredentials = new SigningCredentials(key.SecurityKey, SecurityAlgorithms.EcdsaSha256),
            Subject = new ClaimsIdentity([
                new Claim(ClaimNames.Subject, user.Id.ToString()),
                new Claim(ClaimNames.Name, user.Username),
                new Claim(ClaimNames.Role, current?.Role ?? user.Role),
                new Claim(ClaimNames.Tier, current?.Tier ?? user.Tier),
                new Claim(SessionClaim, family.ToString()),
                new Claim(JwtRegisteredClaimNames.Jti, Guid.NewGuid().ToString("N")),
            ]),
        };
        var access = Handler.CreateToken(descriptor);
        return new TokenPair(access, refresh, (int)options.AccessTokenLifetime.TotalSeconds);
    }

    /// <summary>
    /// iat has whole seconds: a token issued before its user's newest cutoff (an end of sessions in this second, or
    /// several stacked a second apart) carries that cutoff, or it would be refused with the tokens issued before the
    /// end.
    /// </summary>
    private static async Task<DateTimeOffset> IssuedAtAsync(
        IdentityDbContext db,
        Guid userId,
        DateTimeOffset now,
        CancellationToken cancellationToken
    )
    {
        var second = now.AddTicks(-(now.UtcTicks % TimeSpan.TicksPerSecond));
        var cutoff = await db
            .SessionRevocations.Where(r => r.UserId == userId && r.NotBefore > second)
            .MaxAsync(r => r.NotBefore, cancellationToken);
        return cutoff is { } notBefore ? SessionEnding.WholeSecondUp(notBefore) : now;
    }

    /// <summary>
    /// Revokes every refresh token of a family not revoked yet (logout, reuse of a rotated token); how many it revoked,
    /// none when the family was revoked already.
    /// </summary>
    public async Task<int> RevokeFamilyAsync(IdentityDbContext db, Guid familyId, CancellationToken cancellationToken)
    {
        // After any rotation of the family under way: the token it is making is revoked with the rest, not left out
        // of this statement's view.
        await LockFamilyAsync(db, familyId, cancellationToken);
        var now = clock.GetUtcNow();
        return await db
            .RefreshTokens.Where(t => t.FamilyId == familyId && t.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.RevokedAt, now), cancellationToken);
    }

    /// <summary>
    /// Serialises what is done to one refresh-token family (a rotation, a revocation) until the caller's transaction
    /// ends.
    /// </summary>
    public static Task LockFamilyAsync(IdentityDbContext db, Guid familyId, CancellationToken cancellationToken) =>
        db.Database.LockKeyAsync("refresh-family:" + familyId.ToString("N"), cancellationToken);
}
