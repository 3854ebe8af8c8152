using System.Security.Cryptography;
using System.Text;
using Community.Identity.Users;

namespace Community.Identity.Auth;

/// <summary>
/// Failed logins per account, per (account, address) and per address, in the database so replicas agree. Only
/// addresses are locked out; the account merely backs off, so no stranger can lock its owner out. An account counts
/// apart by each kind of identifier it is named by (username, e-mail, phone): failures by one never refuse a login by
/// another, which would tell that an e-mail or phone is the username's.
/// </summary>
public sealed class LoginThrottle(IdentityDbContext db, IOptions<IdentityOptions> options, TimeProvider clock)
{
    /// <summary>The longest identifier a login accepts (the longest e-mail address).</summary>
    public const int MaxIdentifierLength = 254;

    private static readonly string[] IdentifierKinds = ["username", "email", "phone"];

    /// <summary>The counters one login attempt touches, and the lock it takes first.</summary>
    public sealed record Keys(
        Guid? UserId,
        string Address,
        string LockKey,
        string AccountKey,
        string AccountAtAddressKey,
        string AddressKey
    );

    public static Keys For(Guid? userId, string identifier, string address)
    {
        var account = userId is { } id
            ? AccountKey(id, KindOf(identifier))
            // Spelled as the lookup reads it: "+971 50-123", "+97150123" find the same holders, and count as one.
            // A kind of its own: a name no account has could otherwise spell a known account's key, "<its
            // id>|ip:<address>" included, and a stranger's failures would count against its owner at their usual
            // address.
            : "identifier:" + Bounded(AccountQueries.NormalizeIdentifier(identifier));
        var boundedAddress = Bounded(address);
        // A known account's logins queue on the account, whichever identifier names it (as its deletion does).
        var lockKey = userId is { } owner ? ThrottleCounters.AccountLockKey(owner) : account;
        return new Keys(
            userId,
            boundedAddress,
            lockKey,
            account,
            account + "|ip:" + boundedAddress,
            "ip:" + boundedAddress
        );
    }

    /// <summary>
    /// An account's failures by one kind of identifier: "login-email:&lt;id&gt;" (the id ends the key, as the account's
    /// erasure finds it).
    /// </summary>
    private static string AccountKey(Guid userId, string kind) => $"login-{kind}:{userId}";

    /// <summary>The kind of identifier as the lookup tells them apart (<see cref="AccountQueries"/>).</summary>
    private static string KindOf(string identifier)
    {
        var value = identifier.Trim();
        return value.Contains('@') ? "email"
            : value.StartsWith('+') ? "phone"
            : "username";
    }

    /// <summary>
    /// A key part no longer than <see cref="MaxIdentifierLength"/>: a longer one is replaced by its SHA-256.
    /// </summary>
    public static string Bounded(string value) =>
        value.Length <= MaxIdentifierLength
            ? value
            : "sha256:" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(value)));

    /// <summary>
    /// Refuses with 429 when locked out or backing off, or sooner after the last failure than the failures so far allow
    /// (the slowdown): an answer, not a sleep, as a sleeping attempt would hold a password slot and the account's lock.
    /// </summary>
    public async Task GuardAsync(Keys keys, CancellationToken cancellationToken)
    {
        var settings = options.Value.LoginThrottle;
        var now = clock.GetUtcNow();
        var since = now - settings.Window;
        var counts = await db
            .LoginFailures.AsNoTracking()
            .Where(f =>
                (f.Key == keys.AccountKey || f.Key == keys.AccountAtAddressKey || f.Key == keys.AddressKey)
                && f.WindowStartedAt > since
            )
            .ToListAsync(cancellationToken);
        var account = counts.FirstOrDefault(f => f.Key == keys.AccountKey);
        var atAddress = counts.FirstOrDefault(f => f.Key == keys.AccountAtAddressKey);
        var address = counts.FirstOrDefault(f => f.Key == keys.AddressKey);

        if (address is not null && address.Failures >= settings.IpLockAfter)
            throw new TooManyRequestsException(
                "Too many failed logins from this address; try again later.",
                address.WindowStartedAt + settings.Window - now
            );

        int failures;
        DateTimeOffset? lastFailure;
        // Asked for an identifier no account has proved too (of an id no account has), so a failed sign-in takes the
        // same round trips whether or not the e-mail or phone typed belongs to someone.
        var usual = await IsUsualAddressAsync(keys.UserId ?? Guid.Empty, keys.Address, now, cancellationToken);
        if (keys.UserId is not null && usual)
        {
            failures = atAddress?.Failures ?? 0;
            lastFailure = atAddress?.LastFailedAt;
            var beyond = failures - settings.AccountLockAfter;
            if (beyond >= 0 && lastFailure is { } last)
            {
                var wait = Backoff(settings.UsualAddressBackoff, beyond, settings.Window);
                if (last + wait > now)
                    throw new TooManyRequestsException(
                        "Too many failed logins for this account; wait before trying again.",
                        last + wait - now
                    );
            }
        }
        else
        {
            failures = account?.Failures ?? 0;
            lastFailure = account?.LastFailedAt;
            if (atAddress is not null && atAddress.Failures >= settings.AccountLockAfter)
                throw new TooManyRequestsException(
                    "Too many failed logins for this account from this address; try again later.",
                    atAddress.WindowStartedAt + settings.Window - now
                );
            if (lastFailure is { } last && failures >= settings.AccountLockAfter)
            {
                var beyond = failures - settings.AccountLockAfter;
                var wait = Backoff(settings.AccountBackoff, beyond, settings.MaxAccountBackoff);
                if (last + wait > now)
                    throw new TooManyRequestsException(
                        "Too many failed logins for this account; wait before trying again.",
                        last + wait - now
                    );
            }
        }

        var excess = failures - settings.AccountSlowAfter + 1;
        if (excess > 0 && lastFailure is { } lastFailed)
        {
            var delay = TimeSpan.FromTicks(Math.Min(settings.MaxSlowdown.Ticks, settings.SlowdownStep.Ticks * excess));
            if (lastFailed + delay > now)
                throw new TooManyRequestsException(
                    "Too many failed logins for this account; wait a moment before trying again.",
                    lastFailed + delay - now
                );
        }
    }

    /// <summary>
    /// <paramref name="first"/> doubled <paramref name="beyond"/> times, at most <paramref name="max"/>.
    /// </summary>
    private static TimeSpan Backoff(TimeSpan first, int beyond, TimeSpan max) =>
        TimeSpan.FromTicks((long)Math.Min(max.Ticks, first.Ticks * Math.Pow(2, Math.Min(beyond, 30))));

    /// <summary>
    /// Whether the account signed in lately from <paramref name="address"/> (as <see cref="Bounded"/> spells it): its
    /// owner's, as far as anyone can tell.
    /// </summary>
    public Task<bool> IsUsualAddressAsync(
        Guid userId,
        string address,
        DateTimeOffset now,
        CancellationToken cancellationToken
    )
    {
        var since = now - options.Value.LoginThrottle.UsualAddressMemory;
        return db.LoginAddresses.AnyAsync(
            a => a.UserId == userId && a.Address == address && a.LastSucceededAt > since,
            cancellationToken
        );
    }

    public async Task RecordFailureAsync(Keys keys, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var windowStart = now - options.Value.LoginThrottle.Window;
        foreach (var key in new[] { keys.AccountKey, keys.AccountAtAddressKey, keys.AddressKey })
            await CountFailureAsync(db, key, now, windowStart, cancellationToken);
    }

    /// <summary>
    /// One more failure under <paramref name="key"/> in its fixed window (a window that started at or before
    /// <paramref name="windowStart"/> begins again at 1); shared by sign-in and the second factor.
    /// </summary>
    public static Task CountFailureAsync(
        IdentityDbContext db,
        string key,
        DateTimeOffset now,
        DateTimeOffset windowStart,
        CancellationToken cancellationToken
    ) =>
        db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO login_failures (key, window_started_at, failures, last_failed_at)
            VALUES ({key}, {now}, 1, {now})
            ON CONFLICT (key) DO UPDATE SET
                failures = CASE WHEN login_failures.window_started_at <= {windowStart}
                    THEN 1 ELSE login_failures.failures + 1 END,
                window_started_at = CASE WHEN login_failures.window_started_at <= {windowStart}
                    THEN {now} ELSE login_failures.window_started_at END,
                last_failed_at = {now}
            """,
            cancellationToken
        );

    /// <summary>
    /// Clears the account's counts (by every kind of identifier, and theirs at this address) and remembers the address
    /// as one of its usual ones. Never the counts of a name no account proved: other holders' guesses count there.
    /// </summary>
    public async Task RecordSuccessAsync(Guid userId, string address, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var bounded = Bounded(address);
        var keys = IdentifierKinds
            .Select(kind => AccountKey(userId, kind))
            .SelectMany(key => new[] { key, key + "|ip:" + bounded })
            .ToArray();
        await db.LoginFailures.Where(f => keys.Contains(f.Key)).ExecuteDeleteAsync(cancellationToken);
        await db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO login_addresses (user_id, address, last_succeeded_at) VALUES ({userId}, {bounded}, {now})
            ON CONFLICT (user_id, address) DO UPDATE SET last_succeeded_at = {now}
            """,
            cancellationToken
        );
        // Forgotten addresses go, so one account's list stays as short as its recent habits.
        var forgotten = now - options.Value.LoginThrottle.UsualAddressMemory;
        await db
            .LoginAddresses.Where(a => a.UserId == userId && a.LastSucceededAt <= forgotten)
            .ExecuteDeleteAsync(cancellationToken);
    }
}
