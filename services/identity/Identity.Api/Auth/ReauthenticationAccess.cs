using Microsoft.EntityFrameworkCore.Storage;

namespace Community.Identity.Auth;

/// <summary>
/// A signed-in caller proves again that they hold the account before a change an access token alone must not make:
/// turning two-factor sign-in on or off, deleting the account (the Users feature). A wrong password counts against the
/// account with the wrong two-factor codes (<see cref="TwoFactorCodes.GuardAsync"/>), so a stolen token cannot guess it
/// either.
/// </summary>
public sealed class ReauthenticationAccess(TwoFactorCodes codes)
{
    /// <summary>
    /// A wrong password is a 400 here (the caller is signed in); the failure is committed before the refusal. An
    /// account made through an outside provider has an unguessable password until "forgot password" sets one.
    /// </summary>
    public async Task CheckPasswordAsync(
        User user,
        string password,
        IDbContextTransaction transaction,
        CancellationToken cancellationToken
    )
    {
        await codes.GuardAsync(user.Id, cancellationToken);
        if (PasswordHasher.Verify(password, user.PasswordHash))
            return;
        await codes.RecordFailureAsync(user.Id, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        throw new RequestValidationException("password", "The password is wrong.");
    }
}
