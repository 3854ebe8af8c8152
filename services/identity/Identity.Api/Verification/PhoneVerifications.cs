using System.Security.Cryptography;
using Community.ServiceDefaults.Data;
using Npgsql;

namespace Community.Identity.Verification;

/// <summary>
/// Proves an account's phone with a 6-digit code sent by SMS: kept hashed, valid for a few minutes
/// and a few attempts, and sent at most so often per account and per number. Each account has one
/// live code; a new one replaces it. The code proves only the number it was sent to.
/// </summary>
public sealed class PhoneVerifications(
    IdentityDbContext db,
    ISmsSender sms,
    RegistrationThrottle throttle,
    IOptions<IdentityOptions> options,
    TimeProvider clock
)
{
    private PhoneVerificationOptions Settings => options.Value.PhoneVerification;

    /// <summary>Texts the phone of <paramref name="userId"/> a new code, asked for from the client address
    /// <paramref name="address"/> in <paramref name="network"/>.</summary>
    public async Task<DateTimeOffset> SendCodeAsync(
        Guid userId,
        string address,
        string network,
        CancellationToken cancellationToken
    )
    {
        // No way to text at all: refused before anything is read or counted, so a number another account verified
        // (which is texted nothing) is answered as any other (503), and the member's next ask need not wait.
        await sms.EnsureAvailableAsync(cancellationToken);
        var code = RandomNumberGenerator.GetInt32(1_000_000).ToString("D6");
        var now = clock.GetUtcNow();
        string phone;
        bool heldElsewhere;
        // Record the code and commit before texting it, so no transaction waits on the SMS provider.
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            await LockAsync(userId, cancellationToken);
            var user =
                await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == userId, cancellationToken)
                ?? throw new NotFoundException("The account no longer exists.");
            phone = user.Phone ?? throw new ConflictException("The account has no phone number to verify.");
            if (user.PhoneVerifiedAt is not null)
                throw new ConflictException("The phone number is already verified.");
            heldElsewhere = await db.Users.AnyAsync(
                u => u.Phone == phone && u.PhoneVerifiedAt != null && u.Id != userId,
                cancellationToken
            );

            var row = await db.PhoneVerificationCodes.FirstOrDefaultAsync(c => c.UserId == userId, cancellationToken);
            if (row is null)
                db.PhoneVerificationCodes.Add(
                    row = new PhoneVerificationCode { UserId = userId, WindowStartedAt = now }
                );
            else
                Guard(row, now);
            if (row.WindowStartedAt <= now - Settings.Window)
            {
                row.WindowStartedAt = now;
                row.SendsInWindow = 0;
            }
            // Also when another account holds the number and nothing is texted: the answer is the same either way.
            await throttle.CountTextAsync(phone, address, network, cancellationToken);
            row.SendsInWindow++;
            row.Phone = phone;
            row.CodeHash = Hash(userId, code);
            row.Attempts = 0;
            row.LastSentAt = now;
            row.ExpiresAt = now + Settings.CodeLifetime;
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        // A number another account verified gets no text, yet the same answer: nobody can guess the unsent code.
        if (heldElsewhere)
            return now + Settings.CodeLifetime;
        await sms.SendAsync(
            new SmsMessage(
                phone,
                $"Your Community verification code is {code}. "
                    + $"It expires in {Settings.CodeLifetime.TotalMinutes:0} minutes. Never share it."
            ),
            cancellationToken
        );
        return now + Settings.CodeLifetime;
    }

    /// <summary>
    /// Marks the phone verified when <paramref name="code"/> is the live code for the account's current number; returns
    /// the account.
    /// </summary>
    public async Task<User> ConfirmAsync(Guid userId, string code, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // Under the account's lock: parallel guesses queue up and each one counts.
        await LockAsync(userId, cancellationToken);
        // The row too: the event below carries the whole profile, which a profile patch may be changing. The time is
        // read after it, so of two changes the later commit carries the later time (other services keep the newest).
        await db.Database.ExecuteSqlAsync($"SELECT 1 FROM users WHERE id = {userId} FOR UPDATE", cancellationToken);
        var now = clock.GetUtcNow();
        var user =
            await db.Users.FirstOrDefaultAsync(u => u.Id == userId, cancellationToken)
            ?? throw new NotFoundException("The account no longer exists.");
        var row = await db.PhoneVerificationCodes.FirstOrDefaultAsync(c => c.UserId == userId, cancellationToken);
        if (row is null || row.ExpiresAt <= now || row.Attempts >= Settings.MaxAttempts || row.Phone != user.Phone)
            throw new RequestValidationException(
                "code",
                "There is no live code for this phone (expired, used up or never sent); request a new one."
            );

        if (!CryptographicOperations.FixedTimeEquals(row.CodeHash, Hash(userId, code.Trim())))
        {
            row.Attempts++;
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            var left = Settings.MaxAttempts - row.Attempts;
            throw new RequestValidationException(
                "code",
                left > 0
                    ? $"The code is wrong; {left} attempt(s) left."
                    : "The code is wrong and no attempts are left; request a new one."
            );
        }

        if (
            await db.Users.AnyAsync(
                u => u.Phone == user.Phone && u.PhoneVerifiedAt != null && u.Id != userId,
                cancellationToken
            )
        )
            throw new ConflictException("Another account has verified this phone number.");
        var wasVerified = user.IsVerified;
        user.PhoneVerifiedAt = now;
        user.UpdatedAt = now;
        // In the same commit as the change, so others learn of the verified mark even after a crash.
        if (!wasVerified)
            db.AddIntegrationEvent(ProfileEvents.Updated(user, now, ["is_verified"]));
        // The code is spent, but the row keeps counting this window's sends.
        row.ExpiresAt = now;
        row.Attempts = Settings.MaxAttempts;
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e)
            when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            // Lost a race with another account verifying the same number: nothing is changed.
            throw new ConflictException("Another account has verified this phone number.");
        }
        await transaction.CommitAsync(cancellationToken);
        return user;
    }

    private void Guard(PhoneVerificationCode row, DateTimeOffset now)
    {
        var nextAllowed = row.LastSentAt + Settings.ResendAfter;
        if (row.WindowStartedAt > now - Settings.Window && row.SendsInWindow >= Settings.SendsPerWindow)
            nextAllowed = Max(nextAllowed, row.WindowStartedAt + Settings.Window);
        if (nextAllowed > now)
            throw new TooManyRequestsException(
                "A code was sent recently; wait before asking for another.",
                nextAllowed - now
            );
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private Task LockAsync(Guid userId, CancellationToken cancellationToken) =>
        db.Database.LockKeyAsync("phone-verification:" + userId, cancellationToken);

    // Salted with the account, so one table of the million codes' hashes does not read every row.
    private static byte[] Hash(Guid userId, string code) => Hashing.Sha256($"{userId:N}:{code}");
}
