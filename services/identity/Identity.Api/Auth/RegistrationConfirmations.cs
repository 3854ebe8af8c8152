using System.Security.Cryptography;
using Community.Identity.Data;
using Community.Identity.Email;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Community.Identity.Auth;

/// <summary>The answer to every registration with an e-mail, whether or not the address already has an account.</summary>
public sealed record RegistrationPending(string Message)
{
    public static readonly RegistrationPending CheckYourEmail = new("Check your e-mail to finish registering.");
}

public sealed record ConfirmRegistrationRequest(string? Token);

/// <summary>
/// Registrations with an e-mail finish only through a link mailed to that address, so the answer to
/// a registration never tells whether the address has an account: a free address gets the link, an
/// address with an account gets a note to its owner, and the caller gets the same 202 either way.
/// </summary>
public sealed class RegistrationConfirmations(IdentityDbContext db, IEmailSender email, IOptions<IdentityOptions> options, TimeProvider clock)
{
    public async Task<RegistrationPending> StartAsync(PendingRegistration draft, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        await db.PendingRegistrations.Where(p => p.ExpiresAt <= now).ExecuteDeleteAsync(cancellationToken);

        var owner = await db.Users.AsNoTracking().Where(u => u.Email == draft.Email).Select(u => u.Username).FirstOrDefaultAsync(cancellationToken);
        if (owner is not null)
        {
            await email.SendAsync(new EmailMessage(draft.Email, "Someone tried to register with your address",
                $"Someone tried to create a Community account with this e-mail address, which already belongs to the account {owner}.\n\n" +
                "If it was you, sign in, or use \"forgot password\" if you no longer know it. If it was not you, ignore this e-mail: nothing was changed."),
                cancellationToken);
            return RegistrationPending.CheckYourEmail;
        }

        var token = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
        draft.TokenHash = TokenIssuer.HashToken(token);
        draft.CreatedAt = now;
        draft.ExpiresAt = now + options.Value.RegistrationConfirmationLifetime;
        db.PendingRegistrations.Add(draft);
        await db.SaveChangesAsync(cancellationToken);
        await email.SendAsync(new EmailMessage(draft.Email, "Finish creating your Community account",
            $"Someone asked to create the Community account {draft.Username} with this e-mail address. If it was you, open this link " +
            $"within {options.Value.RegistrationConfirmationLifetime.TotalHours:0} hours:\n\n{options.Value.RegistrationConfirmUrl}{token}\n\n" +
            $"Confirmation token: {token}\n\nIf it was not you, ignore this e-mail: no account is created."), cancellationToken);
        return RegistrationPending.CheckYourEmail;
    }

    /// <summary>The registration the token confirms, removed so it confirms once (inside the caller's transaction); null when invalid, used or expired.</summary>
    public async Task<PendingRegistration?> ClaimAsync(string token, CancellationToken cancellationToken)
    {
        var hash = TokenIssuer.HashToken(token);
        var now = clock.GetUtcNow();
        var pending = await db.PendingRegistrations.AsNoTracking().FirstOrDefaultAsync(p => p.TokenHash == hash && p.ExpiresAt > now, cancellationToken);
        if (pending is null) return null;
        // Of two concurrent confirmations with one token, only the one that deletes the row goes on.
        var claimed = await db.PendingRegistrations.Where(p => p.TokenHash == hash).ExecuteDeleteAsync(cancellationToken);
        return claimed == 1 ? pending : null;
    }
}
