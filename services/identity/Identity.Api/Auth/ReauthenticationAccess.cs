using Community.ServiceDefaults;
using Community.ServiceDefaults.Api;
using Microsoft.EntityFrameworkCore.Storage;

namespace Community.Identity.Auth;

/// <summary>
/// A signed-in caller proves again that they hold the account before a change an access token alone must not make:
/// turning two-factor sign-in on or off, a new password, deleting the account (the Users feature). A wrong password
/// or code counts against the account with the wrong two-factor codes (<see cref="TwoFactorCodes.GuardAsync"/>), so
/// a stolen token cannot guess either.
/// </summary>
public sealed class ReauthenticationAccess(TwoFactorCodes codes, IdentityDbContext db, IHttpContextAccessor http)
{
    /// <summary>The signed-in caller's address, which the counts of wrong answers are kept for too.</summary>
    private string Address =>
        http.HttpContext is { } context
            ? ClientAddress.Of(context)
            : throw new InvalidOperationException("Reauthentication is asked within a request only.");

    /// <summary>The proof as given, before anything is locked: a password, and a code of a plausible length.</summary>
    public static void Validate(
        ValidationErrors errors,
        string? password,
        string? code,
        string passwordField = "password"
    )
    {
        if (string.IsNullOrEmpty(password))
            errors.Add(passwordField, $"{passwordField} is required.");
        errors.MaxLength("code", code, TwoFactorCodes.MaxCodeLength);
    }

    /// <summary>
    /// A wrong password is a 400 here (the caller is signed in); the failure is committed before the refusal. An
    /// account made through an outside provider has an unguessable password until "forgot password" sets one.
    /// </summary>
    public async Task CheckPasswordAsync(
        User user,
        string password,
        IDbContextTransaction transaction,
        CancellationToken cancellationToken,
        string passwordField = "password"
    )
    {
        await codes.GuardAsync(user.Id, Address, cancellationToken);
        // The password as it is now, read under the account's row (GuardAsync took it): a reset committed after the
        // caller's copy of the account was read, and before the row was taken, is the one checked.
        var current =
            await db
                .Users.Where(u => u.Id == user.Id)
                .Select(u => u.PasswordHash)
                .FirstOrDefaultAsync(cancellationToken)
            ?? throw new NotFoundException("The account no longer exists.");
        if (PasswordHasher.Verify(password, current))
            return;
        await codes.RecordFailureAsync(user.Id, Address, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        throw new RequestValidationException(passwordField, "The password is wrong.");
    }

    /// <summary>
    /// The signed-in caller's account, proven by the password (and a code when two-factor sign-in is on, as
    /// <see cref="CheckPasswordAndCodeAsync"/>) in a transaction left open for the change the proof is for: the
    /// caller commits it (or disposes of it); a refusal disposes of it before it is thrown. 404 when the account is
    /// gone. The proof as given is checked first (<see cref="Validate"/>).
    /// </summary>
    public async Task<Proof> ProveAsync(Guid userId, string password, string? code, CancellationToken cancellationToken)
    {
        var user =
            await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == userId, cancellationToken)
            ?? throw new NotFoundException("The account no longer exists.");
        var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        try
        {
            var twoFactorOn = await CheckPasswordAndCodeAsync(user, password, code, transaction, cancellationToken);
            return new Proof(user, transaction, twoFactorOn);
        }
        catch
        {
            await transaction.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// A proven caller: the account as read before the proof, the open transaction, whether two-factor is on.
    /// </summary>
    public sealed record Proof(User User, IDbContextTransaction Transaction, bool TwoFactorOn) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Transaction.DisposeAsync();
    }

    /// <summary>
    /// The password, then, when the account has two-factor sign-in on, a code from the app or an unused recovery code
    /// (spent once accepted); whether two-factor sign-in is on. A missing code is a 400, and a wrong one is committed
    /// as a failure before its 400, as a wrong password is; a code given while it is off is not looked at.
    /// </summary>
    public async Task<bool> CheckPasswordAndCodeAsync(
        User user,
        string password,
        string? code,
        IDbContextTransaction transaction,
        CancellationToken cancellationToken,
        string passwordField = "password"
    )
    {
        await CheckPasswordAsync(user, password, transaction, cancellationToken, passwordField);
        // Read under the account's row, which turning two-factor sign-in on or off takes too.
        if (!await codes.IsOnAsync(user.Id, cancellationToken))
            return false;
        if (string.IsNullOrWhiteSpace(code))
            throw new RequestValidationException("code", "code is required: two-factor sign-in is on.");
        if (await codes.VerifyAsync(user.Id, code, pending: false, cancellationToken))
            return true;
        await codes.RecordFailureAsync(user.Id, Address, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        throw new RequestValidationException("code", "The code is wrong, used or expired.");
    }
}
