using System.Security.Claims;
using System.Security.Cryptography;
using Community.Contracts;
using Community.Identity.Suspensions;
using Community.Identity.Users;
using Community.ServiceDefaults;
using Community.ServiceDefaults.Api;
using Community.ServiceDefaults.Data;
using Npgsql;
using static Community.Identity.Users.AccountQueries;

namespace Community.Identity.Auth;

public static class AuthApi
{
    public static RouteGroupBuilder MapAuthApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/v1/auth").WithTags("Auth").WithStandardProblems();
        group
            .MapPost("/register", Register)
            .AllowAnonymous()
            .HashesPasswords()
            .WithName("Register")
            .WithSummary(
                "Create an account and sign in (201); an e-mail given is confirmed through the link mailed to it"
            )
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        group
            .MapPost("/register/confirm", ConfirmEmail)
            .AllowAnonymous()
            .WithName("ConfirmRegistration")
            .WithSummary("Confirm an account's e-mail with the token mailed to it")
            .ProducesProblem(StatusCodes.Status409Conflict);
        group
            .MapPost("/login", Login)
            .AllowAnonymous()
            .HashesPasswords()
            .WithName("Login")
            .WithSummary("Sign in with username, e-mail or phone")
            .AnswersTokensOrChallenge()
            .ProducesProblemWith<SuspendedSignInDto>(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        group
            .MapPost("/refresh", Refresh)
            .AllowAnonymous()
            .WithName("Refresh")
            .WithSummary("Exchange a refresh token for a new pair")
            .WithDescription(
                "Rotates the refresh token: the one sent is used up, and sending it again ends the whole sign-in "
                    + "(but within a minute of its rotation, from the client address that rotated it, while the token "
                    + "that rotation gave is unused: the answer was lost, and the retry gets a new pair, the lost "
                    + "token used up instead). "
                    + "A refresh token lasts 7 days, and one sign-in 90 days however often it is refreshed: the "
                    + "refresh tokens of a sign-in expire by its 90th day, and after that the person signs in again."
            )
            .ProducesProblemWith<SuspendedSignInDto>(StatusCodes.Status403Forbidden);
        group.MapPost("/logout", Logout).WithName("Logout").WithSummary("Revoke this login's refresh tokens");
        group
            .MapPost("/logout/others", LogoutOthers)
            .WithName("LogoutOthers")
            .WithSummary("Sign out everywhere else: end every session of this account but the caller's")
            .WithDescription(
                "Every other sign-in's refresh tokens are revoked and its access tokens refused from now on, by "
                    + "every service, its live connections closed; this session and its tokens go on. Asking again "
                    + "ends only the sessions begun since. A session ended meanwhile (signed out from another one) "
                    + "is answered 401 and ends nothing."
            );
        group.MapGet("/me", Me).WithName("Me").WithSummary("The signed-in account");
        return group;
    }

    /// <summary>Creates an account and signs it in; the e-mail, if given, gets a confirmation link.</summary>
    internal static async Task<Created<AuthResponse>> Register(
        RegisterRequest request,
        HttpContext http,
        IdentityDbContext db,
        TokenIssuer tokens,
        RegistrationThrottle throttle,
        EmailVerifications emailVerifications,
        TimeProvider clock,
        ILoggerFactory loggers,
        CancellationToken cancellationToken
    )
    {
        var errors = new ValidationErrors();
        Rules.Username(errors, request.Username);
        if (string.IsNullOrWhiteSpace(request.Email) && string.IsNullOrWhiteSpace(request.Phone))
            errors.Add("email", "Give an email or a phone number (or both).");
        errors.Email("email", request.Email);
        Rules.Phone(errors, request.Phone);
        Rules.Password(errors, request.Password, request.Username);
        if (errors.MaxLength("full_name", request.FullName, 100) && !string.IsNullOrWhiteSpace(request.FullName))
            errors.OneLine("full_name", request.FullName.Trim());
        var role = request.Role?.Trim().ToLowerInvariant() ?? Roles.Member;
        if (!RegisterRequest.Roles.Contains(role))
            errors.Add("role", "role must be \"member\" or \"organizer\".");
        errors.ThrowIfAny();

        var email = string.IsNullOrWhiteSpace(request.Email) ? null : Rules.NormalizeEmail(request.Email);
        var phone = string.IsNullOrWhiteSpace(request.Phone) ? null : Rules.NormalizePhone(request.Phone);
        var username = Rules.NormalizeUsername(request.Username!);
        User? referrer = null;
        if (!string.IsNullOrWhiteSpace(request.ReferralCode))
        {
            var code = request.ReferralCode.Trim().ToUpperInvariant();
            referrer =
                await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.ReferralCode == code, cancellationToken)
                ?? throw new RequestValidationException("referral_code", "No member has this referral code.");
        }
        // Usernames are public, so a taken one may say so. An e-mail or phone claims nothing until proven,
        // so the answer is the same whoever else gives it: whether it has an account is told only to its owner.
        if (await db.Users.AnyAsync(u => u.Username == username, cancellationToken))
            throw new ConflictException("This username is taken.");
        // Only a registration that would be made counts (a form refused for its referral code or a taken name does
        // not), and only against its own address: no stranger can use up the owner's.
        await throttle.CountRegistrationAsync(ClientAddress.Of(http), [email, phone], cancellationToken);

        var now = clock.GetUtcNow();
        var user = new User
        {
            Id = Guid.CreateVersion7(now),
            Username = username,
            Email = email,
            Phone = phone,
            PasswordHash = PasswordHasher.Hash(request.Password!),
            Role = role,
            FullName = request.FullName?.Trim(),
            ReferralCode = NewReferralCode(),
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Users.Add(user);
        if (referrer is not null)
            db.Referrals.Add(
                new Referral
                {
                    ReferredUserId = user.Id,
                    ReferrerUserId = referrer.Id,
                    CreatedAt = now,
                }
            );
        db.AddIntegrationEvent(ProfileEvents.Registered(user, now, referrer?.Id));
        var pair = await tokens.IssueAsync(db, user, null, cancellationToken);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e)
            when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            // Lost a race with another registration of the same username (the only identifier unique before it is
            // proven).
            throw new ConflictException("This username is taken.");
        }
        catch (DbUpdateException e)
            when (referrer is not null
                && e.InnerException is PostgresException { SqlState: PostgresErrorCodes.ForeignKeyViolation }
            )
        {
            // The referrer's account was deleted since it was found: the code names nobody now.
            throw new RequestValidationException("referral_code", "No member has this referral code.");
        }
        // After the commit, so no transaction waits on the mail server: the link, or a note to the address's verified
        // owner.
        try
        {
            await emailVerifications.SendAsync(
                user,
                ClientAddress.Of(http),
                ClientAddress.NetworkOf(http),
                cancellationToken
            );
        }
        catch (ServiceUnavailableException e)
        {
            // The account exists and is signed in; the link can be asked for again (POST /users/me/email/verification).
            loggers
                .CreateLogger("Community.Identity.Registration")
                .LogWarning(
                    "Registration of {UserId}: the confirmation e-mail was not sent ({Reason})",
                    user.Id,
                    e.Data["cause"]
                );
        }
        return TypedResults.Created(
            "/api/v1/users/me",
            AuthResponse.From(UserDto.From(user, Rules.Today(clock)), pair)
        );
    }

    private static async Task<Ok<EmailConfirmed>> ConfirmEmail(
        ConfirmRegistrationRequest request,
        EmailVerifications emailVerifications,
        CancellationToken cancellationToken
    )
    {
        if (string.IsNullOrWhiteSpace(request.Token))
            throw new RequestValidationException("token", "token is required.");
        var user = await emailVerifications.ConfirmAsync(request.Token, cancellationToken);
        return TypedResults.Ok(new EmailConfirmed(user.Email!, user.EmailVerifiedAt is not null));
    }

    /// <summary>
    /// Signs in; when the account has two-factor sign-in on, answers a challenge instead of tokens (the second step is
    /// /api/v1/auth/login/two-factor). A suspended account is refused with 403 once the password is right.
    /// </summary>
    private static async Task<Results<Ok<AuthResponse>, Ok<TwoFactorChallengeResponse>>> Login(
        LoginRequest request,
        HttpContext http,
        IdentityDbContext db,
        TokenIssuer tokens,
        LoginThrottle throttle,
        TwoFactorCodes twoFactor,
        TimeProvider clock,
        CancellationToken cancellationToken
    )
    {
        var errors = new ValidationErrors();
        if (string.IsNullOrWhiteSpace(request.Identifier))
            errors.Add("identifier", "identifier (username, email or phone) is required.");
        errors.MaxLength("identifier", request.Identifier, LoginThrottle.MaxIdentifierLength);
        if (string.IsNullOrEmpty(request.Password))
            errors.Add("password", "password is required.");
        errors.ThrowIfAny();

        var (owner, candidates, holderPlaces) = await FindLoginCandidatesAsync(
            db,
            request.Identifier!,
            cancellationToken
        );
        // A username, or an address someone verified, counts as that account (the holders tried after the owner, too:
        // adding one adds no guesses at the owner's password), by its kind of identifier only. An address nobody
        // verified counts as itself, never as its holder's account: a stranger holding it would otherwise learn from
        // the limits whether someone verified it (their own account's usual address and success clearing its counts
        // against the owner's neither).
        var keys = LoginThrottle.For(owner?.Id, request.Identifier!, ClientAddress.Of(http));

        // Check, verify and record under a per-account lock: parallel guesses queue up instead of
        // all reading the same failure count before any of them is recorded.
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.Database.LockKeyAsync(keys.LockKey, cancellationToken);
        await throttle.GuardAsync(keys, cancellationToken);

        var user = AccountQueries.FirstMatch(
            request.Password!,
            owner,
            candidates,
            holderPlaces,
            c => c.PasswordHash,
            PasswordHasher.VerifyOrNothing
        );
        if (user is null)
        {
            await throttle.RecordFailureAsync(keys, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            throw new UnauthorizedException("The identifier or the password is wrong.");
        }

        SuspensionRules.ThrowIfSuspended(user, clock.GetUtcNow());
        if (await twoFactor.IsOnAsync(user.Id, cancellationToken))
        {
            // As the tokens' path checks it (TokenIssuer), under the row's share lock: the password checked against
            // the account read before the lock is still its own. A reset or change committed meanwhile ended the
            // challenges there were, and this one must not outlive it; one coming after waits for this and ends it.
            await SuspensionRules.ThrowIfSuspendedAsync(db, user.Id, clock.GetUtcNow(), cancellationToken);
            var current = await db
                .Users.AsNoTracking()
                .Where(u => u.Id == user.Id)
                .Select(u => u.PasswordHash)
                .SingleOrDefaultAsync(cancellationToken);
            if (current != user.PasswordHash)
                throw new UnauthorizedException("The identifier or the password is wrong.");
            // The account's failures are forgiven only once the second factor is right too.
            var challenge = await twoFactor.StartChallengeAsync(user.Id, cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return TypedResults.Ok(challenge);
        }
        // One holder's right password forgives that holder's failures, never the counts an address several accounts
        // hold shares: the others' passwords are no less guessed (and a holder could clear them between guesses).
        // The password was checked against the account as read before the lock: still the one it holds, and the
        // account still there (deleted meanwhile: 401)? Only then is the sign-in recorded.
        var pair = await tokens.IssueAsync(db, user, null, cancellationToken, passwordHashChecked: user.PasswordHash);
        await throttle.RecordSuccessAsync(user.Id, ClientAddress.Of(http), cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Ok(AuthResponse.From(UserDto.From(user, Rules.Today(clock)), pair));
    }

    /// <summary>
    /// Rotation: the UPDATE claims the token atomically, so of two concurrent refreshes at most
    /// one wins. Presenting a token that was already rotated means it leaked: the whole family
    /// is revoked, the current token included; unless it is a lost answer's retry from the client that rotated it
    /// (<see cref="RetriedAsync"/>).
    /// </summary>
    private static async Task<Ok<AuthResponse>> Refresh(
        RefreshRequest request,
        HttpContext http,
        IdentityDbContext db,
        TokenIssuer tokens,
        IOptions<IdentityOptions> options,
        SessionEnding sessions,
        TimeProvider clock,
        ILoggerFactory loggers,
        CancellationToken cancellationToken
    )
    {
        if (string.IsNullOrWhiteSpace(request.RefreshToken))
            throw new RequestValidationException("refresh_token", "refresh_token is required.");
        var hash = Hashing.Sha256(request.RefreshToken);
        var now = clock.GetUtcNow();
        var address = LoginThrottle.Bounded(ClientAddress.Of(http));

        // One transaction: a failure after the claim must not leave the old token used and no new one issued.
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // The user's row before the token's, in the order a suspension locks them: neither waits on the other in turn.
        var owner = await db
            .RefreshTokens.Where(t => t.TokenHash == hash)
            .Select(t => new { t.UserId, t.FamilyId })
            .FirstOrDefaultAsync(cancellationToken);
        if (owner is not null)
        {
            await db.Database.ExecuteSqlAsync(
                $"SELECT 1 FROM users WHERE id = {owner.UserId} FOR SHARE",
                cancellationToken
            );
            // Then the family's: a logout or a reuse revoking it waits for this rotation, and revokes its new token.
            await TokenIssuer.LockFamilyAsync(db, owner.FamilyId, cancellationToken);
        }
        var claimed = await db
            .RefreshTokens.Where(t =>
                t.TokenHash == hash && t.RotatedAt == null && t.RevokedAt == null && t.ExpiresAt > now
            )
            .ExecuteUpdateAsync(
                s => s.SetProperty(t => t.RotatedAt, now).SetProperty(t => t.RotatedFrom, address),
                cancellationToken
            );
        var token = await db
            .RefreshTokens.AsNoTracking()
            .FirstOrDefaultAsync(t => t.TokenHash == hash, cancellationToken);
        if (
            claimed == 0
            && token is not null
            && await RetriedAsync(db, token, address, options.Value, now, cancellationToken)
        )
        {
            loggers
                .CreateLogger("Community.Identity.Auth")
                .LogInformation(
                    "Refresh token of family {FamilyId} sent again within the retry window; its unused successor is "
                        + "replaced",
                    token.FamilyId
                );
            claimed = 1;
        }
        if (claimed == 0 || token is null)
        {
            // Sent from the address of the retry that replaced it, it is that client's older answer (two refreshes of
            // one token at once, or a lost answer that came after all): refused alone, the sign-in goes on with the
            // newer one. From elsewhere it is a reuse: a thief's retry may have replaced its holder's token.
            if (token is { ReplacedFrom: { } replacedFrom, RevokedAt: null } && replacedFrom == address)
                throw new UnauthorizedException(
                    "This refresh token was replaced by a newer one: use the newer one, or sign in again."
                );
            // A family revoked already (by an earlier replay, a logout, a reset) had its session ended with it: a
            // replay then ends nothing again, so repeating it cannot flood the revocation feed and its table lock.
            if (
                token is { RotatedAt: not null }
                && await tokens.RevokeFamilyAsync(db, token.FamilyId, cancellationToken) > 0
            )
            {
                loggers
                    .CreateLogger("Community.Identity.Auth")
                    .LogWarning(
                        "Rotated refresh token reused for user {UserId}; revoked family {FamilyId}",
                        token.UserId,
                        token.FamilyId
                    );
                // Whoever holds the leaked family's access tokens loses them too.
                await sessions.EndSessionAsync(
                    db,
                    token.UserId,
                    token.FamilyId,
                    SessionEnding.RefreshTokenReused,
                    cancellationToken
                );
                await db.SaveChangesAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
            }
            throw new UnauthorizedException("The refresh token is invalid, expired or revoked.");
        }

        // Rows written before the column (or by an older instance during a rollout) carry no start: the family's first
        // row was made at the sign-in. Its tokens expire by the end anyway; this holds for those rows and for a
        // lifetime shortened since they were issued. The claim is rolled back with the refusal.
        var startedAt =
            token.SessionStartedAt
            ?? await db
                .RefreshTokens.Where(t => t.FamilyId == token.FamilyId)
                .MinAsync(t => t.CreatedAt, cancellationToken);
        if (startedAt + options.Value.SessionLifetime <= now)
            throw new UnauthorizedException("This sign-in has lasted as long as a sign-in may: sign in again.");
        var user = await db.Users.FirstAsync(u => u.Id == token.UserId, cancellationToken);
        var pair = await tokens.IssueAsync(db, user, new RefreshSession(token.FamilyId, startedAt), cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Ok(AuthResponse.From(UserDto.From(user, Rules.Today(clock)), pair));
    }

    /// <summary>
    /// Whether <paramref name="token"/>, refreshed with by its holder within
    /// <see cref="IdentityOptions.RefreshRetryWindow"/>, is sent again because that refresh's answer was lost (once or
    /// more): no token made after it in its family (ids are time-ordered) has been refreshed with, and one is live.
    /// That one, the last lost answer's, is replaced now, so the family keeps one live token, and the caller issues the
    /// next. From any address: an answer is most often lost to a network switch, and its retry comes from the new
    /// address. A thief's retry is caught when the token it replaced is sent from elsewhere. With the family locked. A
    /// later token refreshed with, or a try after the window, is a reuse.
    /// </summary>
    private static async Task<bool> RetriedAsync(
        IdentityDbContext db,
        RefreshToken token,
        string address,
        IdentityOptions options,
        DateTimeOffset now,
        CancellationToken cancellationToken
    )
    {
        // A token a retry replaced was never refreshed with, so its sender has no lost answer to ask for again.
        if (
            token is not { RotatedAt: { } rotatedAt, RotatedFrom: not null, RevokedAt: null }
            || rotatedAt + options.RefreshRetryWindow <= now
            || token.ExpiresAt <= now
        )
            return false;
        // Tokens a retry replaced were never refreshed with: a second lost answer is retried as the first was.
        return await db.Database.ExecuteSqlAsync(
                $"""
                UPDATE refresh_tokens s SET rotated_at = {now}, rotated_from = NULL, replaced_from = {address}
                WHERE s.family_id = {token.FamilyId} AND s.id > {token.Id} AND s.rotated_at IS NULL
                    AND s.revoked_at IS NULL AND s.expires_at > {now}
                    AND NOT EXISTS (SELECT 1 FROM refresh_tokens u
                        WHERE u.family_id = {token.FamilyId} AND u.id > {token.Id} AND u.rotated_at IS NOT NULL
                            AND u.replaced_from IS NULL)
                """,
                cancellationToken
            ) == 1;
    }

    /// <summary>
    /// Ends every session of the caller but the one whose token asks: each refresh-token family that may still refresh
    /// or whose access tokens may still be accepted. The caller's own session must still be live: one ended a moment
    /// ago (its end not yet known to the token check) ends nothing.
    /// </summary>
    private static async Task<Ok<OtherSessionsEnded>> LogoutOthers(
        ClaimsPrincipal principal,
        IdentityDbContext db,
        SessionEnding sessions,
        CancellationToken cancellationToken
    )
    {
        var userId = principal.UserId();
        var own = principal.SessionId() ?? Guid.Empty;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // The account's row, as a password change takes it: every sign-in and refresh issuing tokens holds it shared
        // until it commits, so none is under way while the families are read and revoked, and two of these from two
        // sessions take turns.
        await db.Database.ExecuteSqlAsync($"SELECT 1 FROM users WHERE id = {userId} FOR UPDATE", cancellationToken);
        if (!await db.RefreshTokens.AnyAsync(t => t.FamilyId == own && t.RevokedAt == null, cancellationToken))
            throw new UnauthorizedException("This session has ended: sign in again.");
        var ended = await sessions.EndOthersAsync(db, userId, own, SessionEnding.SignedOutElsewhere, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Ok(new OtherSessionsEnded(ended));
    }

    private static async Task<NoContent> Logout(
        ClaimsPrincipal principal,
        IdentityDbContext db,
        TokenIssuer tokens,
        SessionEnding sessions,
        CancellationToken cancellationToken
    )
    {
        if (principal.SessionId() is { } family)
        {
            // Only the caller's own family: the sid of someone else's token cannot be presented with a valid signature.
            var userId = principal.UserId();
            if (await db.RefreshTokens.AnyAsync(t => t.FamilyId == family && t.UserId == userId, cancellationToken))
            {
                await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
                // Ended once: logouts repeated with the token (or racing one another) add nothing to the revocation
                // feed and its lock, as a refresh of a family revoked already does not.
                if (await tokens.RevokeFamilyAsync(db, family, cancellationToken) > 0)
                    await sessions.EndSessionAsync(db, userId, family, SessionEnding.Logout, cancellationToken);
                await db.SaveChangesAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
            }
        }
        return TypedResults.NoContent();
    }

    private static async Task<Ok<UserDto>> Me(
        ClaimsPrincipal principal,
        IdentityDbContext db,
        TimeProvider clock,
        CancellationToken cancellationToken
    )
    {
        var userId = principal.UserId();
        var user =
            await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == userId, cancellationToken)
            ?? throw new NotFoundException("The account no longer exists.");
        return TypedResults.Ok(UserDto.From(user, Rules.Today(clock)));
    }

    internal static string NewReferralCode()
    {
        const string alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        return string.Create(
            10,
            0,
            (span, _) =>
            {
                for (var i = 0; i < span.Length; i++)
                    span[i] = alphabet[RandomNumberGenerator.GetInt32(alphabet.Length)];
            }
        );
    }
}
