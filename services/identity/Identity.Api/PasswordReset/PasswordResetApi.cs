using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using Community.Identity.Users;
using Community.ServiceDefaults;
using Community.ServiceDefaults.Mail;
using Microsoft.IdentityModel.Tokens;
using static Community.Identity.Users.AccountQueries;

namespace Community.Identity.PasswordReset;

public sealed record ForgotPasswordRequest([Required] string? Identifier);

/// <summary>What "forgot password" answers, the same whether or not the account exists.</summary>
public sealed record PasswordResetSent(string Message)
{
    public static readonly PasswordResetSent CheckYourEmail = new("If the account exists, a reset link is on its way.");
}

public sealed record ResetPasswordRequest([Required] string? Token, [Required] string? NewPassword);

public static class PasswordResetApi
{
    public static RouteGroupBuilder MapPasswordResetApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/v1/auth/password").WithTags("Auth").AllowAnonymous().WithStandardProblems();
        group
            .MapPost("/forgot", ForgotPassword)
            .WithName("ForgotPassword")
            .WithSummary("E-mail a single-use reset link");
        group
            .MapPost("/reset", ResetPassword)
            .HashesPasswords()
            .WithName("ResetPassword")
            .WithSummary("Set a new password with a reset token");
        return group;
    }

    private static async Task<Accepted<PasswordResetSent>> ForgotPassword(
        ForgotPasswordRequest request,
        HttpContext http,
        IdentityDbContext db,
        MailInBackground mail,
        CancellationToken cancellationToken
    )
    {
        if (string.IsNullOrWhiteSpace(request.Identifier))
            throw new RequestValidationException("identifier", "identifier is required.");
        // An e-mail or phone names only the account that verified it: an unverified one may be anyone's.
        var user = await FindOwnerAsync(db, request.Identifier, cancellationToken);
        // Mailed only to a proven address, whatever named the account: an unconfirmed one may be a stranger's (a typo).
        // The counting and the token are done in the mail's queue, not here: a request naming an account that is
        // mailed then does the same work as any other, so neither the time taken nor a 503 tells which it was.
        if (user is { Email: not null, EmailVerifiedAt: not null })
        {
            var (userId, passwordHash) = (user.Id, user.PasswordHash);
            var (address, network) = (ClientAddress.Of(http), ClientAddress.NetworkOf(http));
            mail.Compose(
                (services, ct) => ResetMailAsync(services, userId, address, network, passwordHash, ct),
                $"the password reset of {userId}"
            );
        }
        // The same answer whether or not the account exists or was mailed, so this cannot be used to find accounts.
        return TypedResults.Accepted((string?)null, PasswordResetSent.CheckYourEmail);
    }

    // Counted per account and client address, so a stranger's requests never use up the owner's, and per account, so
    // requests from rotating addresses and identifiers cannot flood its inbox; past either, nothing is sent. The
    // account is read again, its row held shared until the counters and the link are written: the queue may have
    // waited on the mail server while its address changed or it was erased, and an erasure that comes now (it takes
    // the row for update) waits, then erases them with the rest. A password changed since the request ended the links
    // sent before it, so this one, asked for before it too, is not written: the change either came first (the hash
    // read here differs) or waits for this link and ends it.
    private static async Task<EmailMessage?> ResetMailAsync(
        IServiceProvider services,
        Guid userId,
        string address,
        string network,
        string passwordHashWhenAsked,
        CancellationToken cancellationToken
    )
    {
        var db = services.GetRequiredService<IdentityDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.Database.ExecuteSqlAsync($"SELECT 1 FROM users WHERE id = {userId} FOR SHARE", cancellationToken);
        var account = await db
            .Users.Where(u => u.Id == userId && u.Email != null && u.EmailVerifiedAt != null)
            .Select(u => new
            {
                Email = u.Email!,
                u.Username,
                u.PasswordHash,
            })
            .FirstOrDefaultAsync(cancellationToken);
        if (account is null || account.PasswordHash != passwordHashWhenAsked)
            return null;
        var throttle = services.GetRequiredService<RegistrationThrottle>();
        if (!await throttle.CountResetMailAsync(userId, address, network, cancellationToken))
        {
            await transaction.CommitAsync(cancellationToken);
            return null;
        }
        var options = services.GetRequiredService<IOptions<IdentityOptions>>().Value;
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        var token = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
        db.PasswordResetTokens.Add(
            new PasswordResetToken
            {
                TokenHash = Hashing.Sha256(token),
                UserId = userId,
                CreatedAt = now,
                ExpiresAt = now + options.PasswordResetLifetime,
            }
        );
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new EmailMessage(
            account.Email,
            "Reset your Community password",
            $"Someone asked to reset the password of {account.Username}. "
                + "If it was you, open this link within an hour:\n\n"
                + $"{options.PasswordResetUrl}{token}\n\nReset token: {token}\n\n"
                + "If it was not you, ignore this e-mail."
        );
    }

    private static async Task<NoContent> ResetPassword(
        ResetPasswordRequest request,
        IdentityDbContext db,
        PasswordChanging passwords,
        SecurityNotices notices,
        TimeProvider clock,
        CancellationToken cancellationToken
    )
    {
        var errors = new ValidationErrors();
        if (string.IsNullOrWhiteSpace(request.Token))
            errors.Add("token", "token is required.");
        Rules.Password(errors, request.NewPassword, null, "new_password");
        errors.ThrowIfAny();

        var hash = Hashing.Sha256(request.Token!);
        var now = clock.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var userId =
            await db
                .PasswordResetTokens.Where(t => t.TokenHash == hash)
                .Select(t => (Guid?)t.UserId)
                .FirstOrDefaultAsync(cancellationToken)
            ?? throw new RequestValidationException("token", "The reset token is invalid, used or expired.");
        // Locked first, as a suspension locks it: a login or a refresh issuing tokens holds it shared, so the sessions
        // ended below include whatever they issued, and one that comes after finds the new password. And before the
        // token's row, in the order a password change takes them (it spends every unused link of the account): two
        // resets, or a reset and a change, at once queue instead of deadlocking.
        await db.Database.ExecuteSqlAsync($"SELECT 1 FROM users WHERE id = {userId} FOR UPDATE", cancellationToken);
        var used = await db
            .PasswordResetTokens.Where(t => t.TokenHash == hash && t.UsedAt == null && t.ExpiresAt > now)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.UsedAt, now), cancellationToken);
        if (used == 0)
            throw new RequestValidationException("token", "The reset token is invalid, used or expired.");

        var user = await db.Users.FirstAsync(u => u.Id == userId, cancellationToken);
        var userErrors = new ValidationErrors();
        Rules.Password(userErrors, request.NewPassword, user.Username, "new_password");
        userErrors.ThrowIfAny();

        await passwords.ChangeAsync(db, user, request.NewPassword!, SessionEnding.PasswordReset, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        notices.PasswordChanged(user, SessionEnding.PasswordReset);
        return TypedResults.NoContent();
    }
}
