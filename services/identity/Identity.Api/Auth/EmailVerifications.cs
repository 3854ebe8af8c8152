using System.Security.Cryptography;
using Community.ServiceDefaults.Mail;
using Microsoft.IdentityModel.Tokens;
using Npgsql;

namespace Community.Identity.Auth;

/// <summary>
/// Proves an account's e-mail with a mailed link (one use, expiring, stored hashed, bound to the
/// address it went to). An address another account has verified gets its owner a note instead and
/// no link, so whoever asked learns nothing: the answer to them is the same either way.
/// </summary>
public sealed class EmailVerifications(
    IdentityDbContext db,
    IEmailSender email,
    RegistrationThrottle throttle,
    IOptions<IdentityOptions> options,
    TimeProvider clock
)
{
    /// <summary>
    /// Mails <paramref name="user"/>'s address the link, or its verified owner the note; the link's token is recorded
    /// (and committed) first. Past the mails to the address that <paramref name="from"/> (the client address, in
    /// <paramref name="fromNetwork"/>) may cause, or the address's ceiling, nothing.
    /// </summary>
    public async Task SendAsync(User user, string from, string fromNetwork, CancellationToken cancellationToken)
    {
        if (user.Email is not { } address || user.EmailVerifiedAt is not null)
            return;
        // Many accounts may name one address (an unconfirmed one is anyone's to name): what they get it sent is capped.
        if (!await throttle.CountConfirmationMailAsync(address, from, fromNetwork, cancellationToken))
            return;
        var now = clock.GetUtcNow();
        var owner = await db
            .Users.AsNoTracking()
            .Where(u => u.Email == address && u.EmailVerifiedAt != null && u.Id != user.Id)
            .Select(u => u.Username)
            .FirstOrDefaultAsync(cancellationToken);
        if (owner is not null)
        {
            await email.SendAsync(
                new EmailMessage(
                    address,
                    "Someone tried to register with your address",
                    "Someone tried to create a Community account with this e-mail address, "
                        + $"which already belongs to the account {owner}.\n\n"
                        + "If it was you, sign in, or use \"forgot password\" if you no longer know it. "
                        + "If it was not you, ignore this e-mail: nothing was changed."
                ),
                cancellationToken
            );
            return;
        }

        var token = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
        db.EmailVerificationTokens.Add(
            new EmailVerificationToken
            {
                TokenHash = Hashing.Sha256(token),
                UserId = user.Id,
                Email = address,
                CreatedAt = now,
                ExpiresAt = now + options.Value.RegistrationConfirmationLifetime,
            }
        );
        await db.SaveChangesAsync(cancellationToken);
        await email.SendAsync(
            new EmailMessage(
                address,
                "Confirm your Community e-mail address",
                $"Someone created the Community account {user.Username} with this e-mail address. "
                    + "If it was you, open this link "
                    + $"within {options.Value.RegistrationConfirmationLifetime.TotalHours:0} hours "
                    + "to confirm the address is yours:\n\n"
                    + $"{options.Value.RegistrationConfirmUrl}{token}\n\nConfirmation token: {token}\n\n"
                    + "If it was not you, ignore this e-mail: the address stays unconfirmed "
                    + "and nobody can sign in or reset a password with it."
            ),
            cancellationToken
        );
    }

    /// <summary>
    /// Marks the e-mail the token went to verified on its account and returns the account; 400 when invalid, used or
    /// expired, 409 when another account verified it meanwhile.
    /// </summary>
    public async Task<User> ConfirmAsync(string token, CancellationToken cancellationToken)
    {
        var hash = Hashing.Sha256(token);
        var now = clock.GetUtcNow();
        // One transaction: a refused confirmation (409) leaves the token and the account as they were.
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var link = await db
            .EmailVerificationTokens.AsNoTracking()
            .FirstOrDefaultAsync(t => t.TokenHash == hash && t.ExpiresAt > now, cancellationToken);
        // Of two concurrent confirmations with one token, only the one that deletes the row goes on.
        if (
            link is null
            || await db.EmailVerificationTokens.Where(t => t.TokenHash == hash).ExecuteDeleteAsync(cancellationToken)
                != 1
        )
            throw Invalid();
        // Locked before it is read: the event below carries the whole profile, which a profile patch may be changing.
        await db.Database.ExecuteSqlAsync(
            $"SELECT 1 FROM users WHERE id = {link.UserId} FOR UPDATE",
            cancellationToken
        );
        // Read again after the lock: the later of two commits carries the later time (other services keep the newest).
        now = clock.GetUtcNow();
        var user = await db.Users.FirstOrDefaultAsync(u => u.Id == link.UserId, cancellationToken);
        // The link proves only the address it went to.
        if (user is null || user.Email != link.Email)
            throw Invalid();
        if (user.EmailVerifiedAt is not null)
        {
            await transaction.CommitAsync(cancellationToken);
            return user;
        }
        if (
            await db.Users.AnyAsync(
                u => u.Email == link.Email && u.EmailVerifiedAt != null && u.Id != user.Id,
                cancellationToken
            )
        )
            throw new ConflictException("Another account has confirmed this e-mail address meanwhile.");

        var wasVerified = user.IsVerified;
        user.EmailVerifiedAt = now;
        user.UpdatedAt = now;
        // In the same commit as the change, so others learn of it even after a crash; also when a proven phone had
        // verified the account already, as only a proven e-mail may be mailed.
        db.AddIntegrationEvent(
            ProfileEvents.Updated(user, now, wasVerified ? ["email_verified"] : ["is_verified", "email_verified"])
        );
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e)
            when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            // Lost a race with another account confirming the same address.
            throw new ConflictException("Another account has confirmed this e-mail address meanwhile.");
        }
        await transaction.CommitAsync(cancellationToken);
        return user;
    }

    private static RequestValidationException Invalid() =>
        new("token", "The confirmation token is invalid, used or expired.");
}
