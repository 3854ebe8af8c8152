using System.Security.Claims;
using Community.Identity.Admins;
using Community.Identity.Suspensions;
using Community.Identity.Users;
using Community.ServiceDefaults;
using Community.ServiceDefaults.Api;
using Community.ServiceDefaults.OpenApi;
using Microsoft.AspNetCore.Mvc;

namespace Community.Identity.Auth;

/// <summary>
/// Two-factor sign-in with an authenticator app (TOTP, RFC 6238) and one-time recovery codes: set up, confirm, turn
/// off, and the login's second step.
/// </summary>
public static class TwoFactorApi
{
    public static RouteGroupBuilder MapTwoFactorApi(this IEndpointRouteBuilder routes)
    {
        routes
            .MapPost("/api/v1/auth/login/two-factor", CompleteLogin)
            .AllowAnonymous()
            .WithTags("Auth")
            .WithStandardProblems()
            .WithName("LoginTwoFactor")
            .WithSummary("Finish a login with a code from the authenticator app or a recovery code")
            .ProducesProblemWith<SuspendedSignInDto>(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);

        var group = routes
            .MapGroup("/api/v1/users/me/two-factor")
            .WithTags("Users")
            .RequireAuthorization(Policies.Member)
            .WithStandardProblems();
        group
            .MapGet("", Status)
            .WithName("GetTwoFactorStatus")
            .WithSummary("Whether two-factor sign-in is on, and how many recovery codes are left");
        group
            .MapPost("", Setup)
            .HashesPasswords()
            .WithName("StartTwoFactorSetup")
            .WithSummary("Make a TOTP secret for an authenticator app (two-factor stays off until confirmed)")
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        group
            .MapPost("/confirm", Confirm)
            .WithName("ConfirmTwoFactor")
            .WithSummary("Turn two-factor sign-in on with the app's first code; answers the recovery codes")
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        group
            .MapPost("/recovery-codes", NewRecoveryCodes)
            .HashesPasswords()
            .WithName("ReplaceTwoFactorRecoveryCodes")
            .WithSummary(
                "New recovery codes, replacing the old ones (password and a code or recovery code): for codes lost, "
                    + "used up, or never received"
            )
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        group
            .MapDelete("", Disable)
            .HashesPasswords()
            .WithName("DisableTwoFactor")
            .WithSummary("Turn two-factor sign-in off (password and a code or recovery code)")
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);

        routes
            .MapDelete("/api/v1/admin/users/{id:guid}/two-factor", Reset)
            .DescribesPathParameter("id", "The user's id.")
            .WithTags("Admin")
            .RequireAuthorization(Policies.Admin)
            .WithStandardProblems()
            .WithName("ResetTwoFactor")
            .WithSummary(
                "Turn a member's two-factor sign-in off (admin), for an owner who lost the app and the recovery codes "
                    + "or whose password holder turned it on: every session of the account ends and the owner is "
                    + "told; 204 whether or not it was on; 422 for the admin's own account"
            )
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        return group;
    }

    /// <summary>
    /// An admin turns a member's two-factor sign-in off: its secret, recovery codes and challenges go, every session
    /// of the account ends (whoever turned it on may be signed in), and the owner is told at their confirmed address.
    /// </summary>
    private static async Task<NoContent> Reset(
        Guid id,
        ClaimsPrincipal principal,
        IdentityDbContext db,
        TwoFactorCodes codes,
        SessionEnding sessions,
        SecurityNotices notices,
        TimeProvider clock,
        CancellationToken cancellationToken
    )
    {
        if (id == principal.UserId())
            throw new BusinessRuleException(
                "Turn your own two-factor sign-in off from your settings (DELETE /api/v1/users/me/two-factor)."
            );
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // The caller is still an admin in force once its turn comes: its token may carry a role or a standing taken
        // from it since (as role changes and suspensions check).
        await AdminRules.LockAdminsAsync(db, principal.UserId(), clock.GetUtcNow(), cancellationToken);
        // In turn with the member's own confirmation or turn-off, which lock the account's row too.
        await db.Database.ExecuteSqlAsync($"SELECT 1 FROM users WHERE id = {id} FOR UPDATE", cancellationToken);
        var user =
            await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == id, cancellationToken)
            ?? throw new NotFoundException("No user has this id.");
        if (!await db.TwoFactorSecrets.AnyAsync(s => s.UserId == id, cancellationToken))
            return TypedResults.NoContent();
        var wasOn = await codes.IsOnAsync(id, cancellationToken);
        await codes.RemoveAsync(id, cancellationToken);
        if (wasOn)
        {
            await sessions.RevokeRefreshTokensAsync(db, id, cancellationToken);
            await sessions.EndAllAsync(db, id, SessionEnding.TwoFactorReset, cancellationToken);
        }
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        if (wasOn)
            notices.TwoFactorReset(user);
        return TypedResults.NoContent();
    }

    /// <summary>What a settings page shows: on or off (a setup not yet confirmed is off), and the codes left.</summary>
    private static async Task<Ok<TwoFactorStatus>> Status(
        ClaimsPrincipal principal,
        IdentityDbContext db,
        CancellationToken cancellationToken
    )
    {
        var userId = principal.UserId();
        var enabledAt = await db
            .TwoFactorSecrets.Where(s => s.UserId == userId && s.EnabledAt != null)
            .Select(s => s.EnabledAt)
            .FirstOrDefaultAsync(cancellationToken);
        var left = enabledAt is null
            ? 0
            : await db.TwoFactorRecoveryCodes.CountAsync(
                c => c.UserId == userId && c.UsedAt == null,
                cancellationToken
            );
        return TypedResults.Ok(new TwoFactorStatus(enabledAt is not null, enabledAt, left));
    }

    /// <summary>
    /// Makes a new TOTP secret (replacing one not yet confirmed). Nothing changes for sign-in until a code from the
    /// app confirms it.
    /// </summary>
    private static async Task<Ok<TwoFactorSetup>> Setup(
        TwoFactorSetupRequest request,
        ClaimsPrincipal principal,
        IdentityDbContext db,
        TwoFactorCodes codes,
        ReauthenticationAccess reauthentication,
        CancellationToken cancellationToken
    )
    {
        if (string.IsNullOrEmpty(request.Password))
            throw new RequestValidationException("password", "password is required.");
        var user = await FindAsync(db, principal.UserId(), cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await reauthentication.CheckPasswordAsync(user, request.Password, transaction, cancellationToken);
        if (await codes.IsOnAsync(user.Id, cancellationToken))
            throw new ConflictException("Two-factor sign-in is already on; turn it off first to set up a new app.");
        var secret = await codes.StartSetupAsync(user.Id, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Ok(new TwoFactorSetup(secret, codes.OtpauthUri(user.Username, secret)));
    }

    /// <summary>Turns two-factor sign-in on when the code matches the secret just set up.</summary>
    private static async Task<Ok<TwoFactorRecoveryCodes>> Confirm(
        TwoFactorConfirmRequest request,
        ClaimsPrincipal principal,
        HttpContext http,
        IdentityDbContext db,
        TwoFactorCodes codes,
        SessionEnding sessions,
        SecurityNotices notices,
        TimeProvider clock,
        CancellationToken cancellationToken
    )
    {
        RequireCode(request.Code);
        var userId = principal.UserId();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var secret =
            await db.TwoFactorSecrets.FirstOrDefaultAsync(s => s.UserId == userId, cancellationToken)
            ?? throw new ConflictException("Set up two-factor sign-in first (POST /api/v1/users/me/two-factor).");
        if (secret.EnabledAt is not null)
            throw new ConflictException("Two-factor sign-in is already on.");
        await codes.GuardAsync(userId, ClientAddress.Of(http), cancellationToken);
        if (!await codes.VerifyAsync(userId, request.Code!, pending: true, cancellationToken))
        {
            await codes.RecordFailureAsync(userId, ClientAddress.Of(http), cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            throw new RequestValidationException("code", "The code is wrong or expired.");
        }
        secret.EnabledAt = clock.GetUtcNow();
        var recovery = await codes.NewRecoveryCodesAsync(userId, cancellationToken);
        // Refreshing never asks for the second factor: a sign-in made with a stolen password would outlive this for
        // months. Under the account's row, which the guard took, as signing out everywhere else takes it.
        var own = principal.SessionId() ?? Guid.Empty;
        await sessions.EndOthersAsync(db, userId, own, SessionEnding.TwoFactorTurnedOn, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        // Whoever holds the password could turn it on and lock the owner out: the owner hears of it.
        if (await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == userId, cancellationToken) is { } user)
            notices.TwoFactorTurnedOn(user);
        return TypedResults.Ok(new TwoFactorRecoveryCodes(recovery));
    }

    /// <summary>
    /// New recovery codes for an account with two-factor sign-in on; the old ones stop working. For codes lost or used
    /// up, and for the ones a confirmation answered that never reached the client (a second confirmation is a 409).
    /// </summary>
    private static async Task<Ok<TwoFactorRecoveryCodes>> NewRecoveryCodes(
        TwoFactorNewRecoveryCodesRequest request,
        ClaimsPrincipal principal,
        IdentityDbContext db,
        TwoFactorCodes codes,
        ReauthenticationAccess reauthentication,
        CancellationToken cancellationToken
    )
    {
        await using var proof = await ProvenAsync(
            request.Password,
            request.Code,
            principal,
            reauthentication,
            cancellationToken
        );
        var (user, transaction, _) = proof;
        var recovery = await codes.NewRecoveryCodesAsync(user.Id, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Ok(new TwoFactorRecoveryCodes(recovery));
    }

    /// <summary>
    /// The caller, proven by their password and a code (or recovery code) in a transaction left open for the change;
    /// 409 when two-factor sign-in is off, and a wrong password or code is recorded (committed) before its 400.
    /// </summary>
    private static async Task<ReauthenticationAccess.Proof> ProvenAsync(
        string? password,
        string? code,
        ClaimsPrincipal principal,
        ReauthenticationAccess reauthentication,
        CancellationToken cancellationToken
    )
    {
        var errors = new ValidationErrors();
        ReauthenticationAccess.Validate(errors, password, code);
        if (string.IsNullOrWhiteSpace(code))
            errors.Add("code", "code is required.");
        errors.ThrowIfAny();
        // Whether it is on is read under the account's row, after the password: it cannot be turned off meanwhile.
        var proof = await reauthentication.ProveAsync(principal.UserId(), password!, code, cancellationToken);
        if (proof.TwoFactorOn)
            return proof;
        await proof.DisposeAsync();
        throw new ConflictException("Two-factor sign-in is not on.");
    }

    /// <summary>Turns two-factor sign-in off; the recovery codes die with it.</summary>
    private static async Task<NoContent> Disable(
        [FromBody] TwoFactorDisableRequest request,
        ClaimsPrincipal principal,
        TwoFactorCodes codes,
        ReauthenticationAccess reauthentication,
        SecurityNotices notices,
        CancellationToken cancellationToken
    )
    {
        await using var proof = await ProvenAsync(
            request.Password,
            request.Code,
            principal,
            reauthentication,
            cancellationToken
        );
        var (user, transaction, _) = proof;
        await codes.RemoveAsync(user.Id, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        notices.TwoFactorTurnedOff(user);
        return TypedResults.NoContent();
    }

    /// <summary>
    /// The login's second step: the challenge a login answered and a code. A wrong code answers 401 as a wrong
    /// password does; the challenge takes at most 5 codes, one right one, within 5 minutes.
    /// </summary>
    private static async Task<Ok<AuthResponse>> CompleteLogin(
        TwoFactorLoginRequest request,
        HttpContext http,
        IdentityDbContext db,
        TwoFactorCodes codes,
        TokenIssuer tokens,
        LoginThrottle throttle,
        TimeProvider clock,
        CancellationToken cancellationToken
    )
    {
        var errors = new ValidationErrors();
        if (string.IsNullOrWhiteSpace(request.Challenge))
            errors.Add("challenge", "challenge is required.");
        errors.MaxLength("challenge", request.Challenge, 100);
        if (string.IsNullOrWhiteSpace(request.Code))
            errors.Add("code", "code is required.");
        errors.MaxLength("code", request.Code, TwoFactorCodes.MaxCodeLength);
        errors.ThrowIfAny();

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var invalid = new UnauthorizedException(
            "The sign-in challenge is invalid, used, expired or out of attempts; sign in again."
        );
        // The account's row first (the guard), then the challenge's (the count): the order in which turning two-factor
        // off or deleting the account takes them, so neither waits on the other in turn.
        var userId = await codes.ChallengeOwnerAsync(request.Challenge!, cancellationToken) ?? throw invalid;
        await codes.GuardAsync(userId, ClientAddress.Of(http), cancellationToken);
        if (await codes.CountAttemptAsync(request.Challenge!, cancellationToken) != userId)
            throw invalid;
        if (!await codes.VerifyAsync(userId, request.Code!, pending: false, cancellationToken))
        {
            await codes.RecordFailureAsync(userId, ClientAddress.Of(http), cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            throw new UnauthorizedException("The two-factor code is wrong, used or expired.");
        }
        await codes.SpendChallengeAsync(request.Challenge!, cancellationToken);
        var user = await db.Users.FirstAsync(u => u.Id == userId, cancellationToken);
        await throttle.RecordSuccessAsync(user.Id, ClientAddress.Of(http), cancellationToken);
        var pair = await tokens.IssueAsync(db, user, null, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Ok(AuthResponse.From(UserDto.From(user, Rules.Today(clock)), pair));
    }

    /// <summary>
    /// Documents a sign-in's 200 as either answer: the tokens, or the challenge when two-factor sign-in is on.
    /// </summary>
    internal static RouteHandlerBuilder AnswersTokensOrChallenge(this RouteHandlerBuilder builder) =>
        builder.AnswersEither<AuthResponse, TwoFactorChallengeResponse>(
            "The tokens; or, when the account has two-factor sign-in on, two_factor_required with a challenge for "
                + "/api/v1/auth/login/two-factor and no tokens."
        );

    private static void RequireCode(string? code)
    {
        var errors = new ValidationErrors();
        if (string.IsNullOrWhiteSpace(code))
            errors.Add("code", "code is required.");
        errors.MaxLength("code", code, TwoFactorCodes.MaxCodeLength);
        errors.ThrowIfAny();
    }

    private static async Task<User> FindAsync(IdentityDbContext db, Guid id, CancellationToken cancellationToken) =>
        await db.Users.FirstOrDefaultAsync(u => u.Id == id, cancellationToken)
        ?? throw new NotFoundException("The account no longer exists.");
}
