using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using Community.Identity.Users;
using Community.ServiceDefaults.OpenApi;

namespace Community.Identity.Auth;

/// <summary>A new password, chosen while signed in; every other session of the account ends.</summary>
/// <param name="CurrentPassword">
/// The account's password now. An account made through an outside provider sets one first through "forgot password".
/// </param>
/// <param name="NewPassword">
/// 10-128 characters with letters and a digit or symbol, not containing the username; it may be the current one,
/// which still ends the other sessions.
/// </param>
/// <param name="Code">
/// Needed when two-factor sign-in is on: a code from the authenticator app, or an unused recovery code.
/// </param>
public sealed record ChangePasswordRequest(
    [Required] string? CurrentPassword,
    [Required] string? NewPassword,
    string? Code
) : IRequestExample<ChangePasswordRequest>
{
    public static ChangePasswordRequest Example => new("sunny-dunes-42", "quiet-harbour-77", null);
}

/// <summary>
/// A signed-in member's new password, proven as a deletion is: a leaked session elsewhere ends with it, and an account
/// with a phone only has a way to a new password (forgot-password mails only a confirmed e-mail).
/// </summary>
public static class PasswordChangeApi
{
    public static RouteGroupBuilder MapPasswordChangeApi(this IEndpointRouteBuilder routes)
    {
        var group = routes
            .MapGroup("/api/v1/users/me/password")
            .WithTags("Users")
            .RequireAuthorization(Policies.Member)
            .WithStandardProblems();
        group
            .MapPost("", ChangePassword)
            .HashesPasswords()
            .WithName("ChangeMyPassword")
            .WithSummary(
                "A new password (the current one, and a code when two-factor sign-in is on): every other session "
                    + "ends, and the answer is a new token pair for this one"
            )
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        return group;
    }

    /// <summary>
    /// Replaces the password once the current one (and a code, when two-factor sign-in is on) is right. What a reset
    /// ends ends here too, the caller's own session included; the caller goes on with the new pair in the answer.
    /// </summary>
    private static async Task<Ok<AuthResponse>> ChangePassword(
        ChangePasswordRequest request,
        ClaimsPrincipal principal,
        IdentityDbContext db,
        ReauthenticationAccess reauthentication,
        PasswordChanging passwords,
        TokenIssuer tokens,
        SecurityNotices notices,
        TimeProvider clock,
        CancellationToken cancellationToken
    )
    {
        var errors = new ValidationErrors();
        ReauthenticationAccess.Validate(errors, request.CurrentPassword, request.Code, "current_password");
        Rules.Password(errors, request.NewPassword, null, "new_password");
        errors.ThrowIfAny();

        var userId = principal.UserId();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // Locked before it is read, as a reset locks it: the password checked is the one the account holds now, and a
        // refresh under way has issued its pair before the sessions end below.
        await db.Database.ExecuteSqlAsync($"SELECT 1 FROM users WHERE id = {userId} FOR UPDATE", cancellationToken);
        var user =
            await db.Users.FirstOrDefaultAsync(u => u.Id == userId, cancellationToken)
            ?? throw new NotFoundException("The account no longer exists.");
        var userErrors = new ValidationErrors();
        Rules.Password(userErrors, request.NewPassword, user.Username, "new_password");
        userErrors.ThrowIfAny();
        await reauthentication.CheckPasswordAndCodeAsync(
            user,
            request.CurrentPassword!,
            request.Code,
            transaction,
            cancellationToken,
            "current_password"
        );

        await passwords.ChangeAsync(db, user, request.NewPassword!, SessionEnding.PasswordChanged, cancellationToken);
        // A new family: the caller's own refresh tokens were revoked with the rest.
        var pair = await tokens.IssueAsync(db, user, null, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        notices.PasswordChanged(user, SessionEnding.PasswordChanged);
        return TypedResults.Ok(AuthResponse.From(UserDto.From(user, Rules.Today(clock)), pair));
    }
}
