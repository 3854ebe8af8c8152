using Community.Identity.Data;
using Community.ServiceDefaults.Errors;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Community.Identity.Auth;

/// <summary>
/// Failed logins counted per account and per IP in the database (so all replicas agree) in fixed
/// windows: after a few failures each attempt is slowed, after more it is refused with 429 until
/// the window ends. A success clears the account's count.
/// </summary>
public sealed class LoginThrottle(IdentityDbContext db, IOptions<IdentityOptions> options, TimeProvider clock)
{
    public static string AccountKey(string account) => "account:" + account;
    public static string IpKey(string? ip) => "ip:" + (ip ?? "unknown");

    /// <summary>Refuses with 429 when locked out; otherwise waits as long as the failures so far ask.</summary>
    public async Task GuardAsync(string accountKey, string ipKey, CancellationToken cancellationToken)
    {
        var settings = options.Value.LoginThrottle;
        var now = clock.GetUtcNow();
        var since = now - settings.Window;
        var counts = await db.LoginFailures.AsNoTracking()
            .Where(f => (f.Key == accountKey || f.Key == ipKey) && f.WindowStartedAt > since)
            .ToListAsync(cancellationToken);
        var account = counts.FirstOrDefault(f => f.Key == accountKey);
        var ip = counts.FirstOrDefault(f => f.Key == ipKey);

        if (account is not null && account.Failures >= settings.AccountLockAfter)
            throw new TooManyRequestsException("Too many failed logins for this account; try again later.", account.WindowStartedAt + settings.Window - now);
        if (ip is not null && ip.Failures >= settings.IpLockAfter)
            throw new TooManyRequestsException("Too many failed logins from this address; try again later.", ip.WindowStartedAt + settings.Window - now);

        var excess = (account?.Failures ?? 0) - settings.AccountSlowAfter + 1;
        if (excess > 0)
        {
            var delay = TimeSpan.FromTicks(Math.Min(settings.MaxSlowdown.Ticks, settings.SlowdownStep.Ticks * excess));
            await Task.Delay(delay, clock, cancellationToken);
        }
    }

    public async Task RecordFailureAsync(string accountKey, string ipKey, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var windowStart = now - options.Value.LoginThrottle.Window;
        foreach (var key in new[] { accountKey, ipKey })
        {
            await db.Database.ExecuteSqlAsync($"""
                INSERT INTO login_failures (key, window_started_at, failures) VALUES ({key}, {now}, 1)
                ON CONFLICT (key) DO UPDATE SET
                    failures = CASE WHEN login_failures.window_started_at <= {windowStart} THEN 1 ELSE login_failures.failures + 1 END,
                    window_started_at = CASE WHEN login_failures.window_started_at <= {windowStart} THEN {now} ELSE login_failures.window_started_at END
                """, cancellationToken);
        }
    }

    public Task ResetAsync(string accountKey, CancellationToken cancellationToken) =>
        db.LoginFailures.Where(f => f.Key == accountKey).ExecuteDeleteAsync(cancellationToken);
}
