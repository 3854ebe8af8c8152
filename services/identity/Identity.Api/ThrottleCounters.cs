using Community.ServiceDefaults;

namespace Community.Identity;

/// <summary>
/// The rows of login_failures, where every throttle counts (logins, second factors, registrations, mails, texts):
/// their keys hold raw e-mails, phones and client addresses, so a row goes once its window has ended, swept at start
/// and hourly on every instance, and a deleted account's go with it.
/// </summary>
public sealed class ThrottleCounters(
    IServiceScopeFactory scopes,
    IOptions<IdentityOptions> options,
    TimeProvider clock,
    ILogger<ThrottleCounters> logger
) : PeriodicSweep(clock, logger)
{
    protected override TimeSpan Every { get; } = TimeSpan.FromHours(1);

    // The database away: the rows count nothing meanwhile and go on the next round.
    protected override string FailureMessage => "Sweeping ended throttle windows failed; trying again in {Every}";

    /// <summary>
    /// The lock a known account's logins take before anything else, whichever identifier names it (as its deletion
    /// does). Only a lock: its failures count by the kind of identifier typed (<c>LoginThrottle</c>).
    /// </summary>
    public static string AccountLockKey(Guid userId) => "account:" + userId;

    protected override Task RunRoundAsync(CancellationToken stoppingToken) => SweepAsync(stoppingToken);

    /// <summary>Deletes the counters whose window ended, under the longest window in use; how many went.</summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        TimeSpan[] windows =
        [
            settings.LoginThrottle.Window,
            settings.RegistrationThrottle.Window,
            settings.PhoneVerification.Window,
            settings.TwoFactor.Window,
        ];
        // A window that started at or before this is over whichever throttle counts in it: its row counts nothing.
        var ended = Clock.GetUtcNow() - windows.Max();
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityDbContext>();
        // A counter a request holds is skipped, not waited for: a request's transaction may hold several (a reset
        // mail counts per account and per address), and a sweep taking them in another order would deadlock with it.
        // A skipped one goes on the next round.
        var removed = await db.Database.ExecuteSqlAsync(
            $"""
            DELETE FROM login_failures WHERE key IN
                (SELECT key FROM login_failures WHERE window_started_at <= {ended} FOR UPDATE SKIP LOCKED)
            """,
            cancellationToken
        );
        if (removed > 0)
            logger.LogInformation("Removed {Count} throttle counters whose window ended", removed);
        return removed;
    }

    /// <summary>
    /// Inside the deletion's transaction: deletes the counters naming <paramref name="user"/> by its id and by the
    /// e-mail and phone it proved. Those of an address it never proved stay to the end of their window: they may count
    /// others' requests for it, and deleting an account must not reset the limits on a stranger's inbox or phone.
    /// </summary>
    public static Task EraseAsync(IdentityDbContext db, User user, CancellationToken cancellationToken)
    {
        List<string> names = [user.Id.ToString()];
        if (user is { EmailVerifiedAt: not null, Email: { } email })
            names.Add(email);
        if (user is { PhoneVerifiedAt: not null, Phone: { } phone })
            names.Add(phone);
        var named = names.ToArray();
        // A name follows its key's kind ("login-email:", "sms-to:"...) and ends the key or comes before "|ip:" (or
        // "|net:"). Locked in the order a request counting under a name takes its rows (RegistrationThrottle: the
        // client address's counter, the name's, its network's spares', then its spares'), so a stranger's code or mail
        // to the account's proven number or inbox, counted at this moment, is waited for rather than deadlocked with.
        return db.Database.ExecuteSqlAsync(
            $"""
            DELETE FROM login_failures WHERE key IN (
                SELECT key FROM login_failures WHERE EXISTS (SELECT 1 FROM unnest({named}) AS n (name)
                    WHERE right(key, length(n.name) + 1) = ':' || n.name OR strpos(key, ':' || n.name || '|') > 0)
                ORDER BY strpos(key, '|ip:') = 0, strpos(key, '-spare:') > 0, strpos(key, '|net:') = 0, key COLLATE "C"
                FOR UPDATE)
            """,
            cancellationToken
        );
    }
}
