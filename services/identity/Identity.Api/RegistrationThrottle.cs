using Community.Identity.Auth;

namespace Community.Identity;

/// <summary>
/// Limits on what sends e-mails and texts: registrations, confirmation and reset mails count per (e-mail, phone or
/// account, client address), so nobody can use up an owner's from elsewhere, the mails under a ceiling per inbox too;
/// link requests count per account, code texts per number. Each takes the client address's key
/// (<c>ClientAddress.Of</c>) and its network (<c>ClientAddress.NetworkOf</c>), whose share of a spent ceiling's
/// spares it draws on.
/// </summary>
public sealed class RegistrationThrottle(IdentityDbContext db, IOptions<IdentityOptions> options, TimeProvider clock)
{
    /// <summary>
    /// Counts a validated registration naming <paramref name="identifiers"/> from <paramref name="address"/>.
    /// </summary>
    public Task CountRegistrationAsync(
        string address,
        IEnumerable<string?> identifiers,
        CancellationToken cancellationToken
    )
    {
        var from = "|ip:" + LoginThrottle.Bounded(address);
        var keys = identifiers
            .Where(i => !string.IsNullOrWhiteSpace(i))
            .Select(i => "register:" + LoginThrottle.Bounded(i!) + from)
            .Distinct()
            .ToList();
        return CountAsync(
            keys,
            options.Value.RegistrationThrottle.PerIdentifierAndAddress,
            options.Value.RegistrationThrottle.Window,
            "Too many registrations with this e-mail or phone from this address; try again later.",
            cancellationToken
        );
    }

    /// <summary>
    /// Counts a request for a new confirmation link by <paramref name="userId"/>; 429 past the limit.
    /// </summary>
    public Task CountLinkRequestAsync(Guid userId, CancellationToken cancellationToken) =>
        CountAsync(
            ["email-link:" + userId],
            options.Value.RegistrationThrottle.LinksPerAccount,
            options.Value.RegistrationThrottle.Window,
            "Too many confirmation links asked for; try again later.",
            cancellationToken
        );

    /// <summary>
    /// Counts a password-reset mail to <paramref name="userId"/> asked for from <paramref name="address"/>; false past
    /// the limit, when the caller sends nothing and answers as always, since a 429 would tell that the account exists.
    /// Per (account, client address), so a stranger asking again and again (a username is public) uses up only their
    /// own address's mails and never the owner's; and per account under a higher ceiling, so many addresses together
    /// cannot flood the inbox.
    /// </summary>
    public Task<bool> CountResetMailAsync(
        Guid userId,
        string address,
        string network,
        CancellationToken cancellationToken
    )
    {
        var settings = options.Value.RegistrationThrottle;
        return CountMailAsync(
            "reset-mail:" + userId,
            address,
            network,
            settings.ResetMailsPerAccountAndAddress,
            settings.ResetMailsPerAccount,
            new(settings.ResetMailSpares, settings.ResetMailSparesPerNetwork),
            cancellationToken
        );
    }

    /// <summary>
    /// Counts a confirmation mail (a link, or a note to the address's confirmed owner) to <paramref name="email"/>
    /// (normalized) caused from <paramref name="address"/>; false past the limit, when the caller mails nothing and
    /// answers as always: the accounts naming an address are not its owner, and nothing they do should tell them
    /// whether it was mailed. Per (e-mail, client address), so accounts made from elsewhere to name the address never
    /// use up the owner's mails, and per e-mail under a higher ceiling for every address together.
    /// </summary>
    public Task<bool> CountConfirmationMailAsync(
        string email,
        string address,
        string network,
        CancellationToken cancellationToken
    )
    {
        var settings = options.Value.RegistrationThrottle;
        return CountMailAsync(
            "confirm-mail:" + LoginThrottle.Bounded(email),
            address,
            network,
            settings.ConfirmationMailsPerEmailAndAddress,
            settings.ConfirmationMailsPerEmail,
            new(settings.ConfirmationMailSpares, settings.ConfirmationMailSparesPerNetwork),
            cancellationToken
        );
    }

    // The (key, client address) counter first; only a mail within it counts towards the key's ceiling, so one address
    // past its own limit cannot go on to use up the ceiling that the other addresses share.
    private async Task<bool> CountMailAsync(
        string key,
        string address,
        string network,
        int perAddress,
        int ceiling,
        Spares spares,
        CancellationToken cancellationToken
    )
    {
        var window = options.Value.RegistrationThrottle.Window;
        List<string> fromAddress = [key + "|ip:" + LoginThrottle.Bounded(address)];
        await IncrementAsync(fromAddress, window, cancellationToken);
        if (await OverLimitAsync(fromAddress, perAddress, cancellationToken) is not null)
            return false;
        var over = await CountUnderCeilingAsync(key, fromAddress, network, ceiling, spares, window, cancellationToken);
        return over is null;
    }

    /// <summary>
    /// What a key is still sent past its ceiling, each the first of a client address: Total in all, PerNetwork of them
    /// at most at the request of one network's addresses.
    /// </summary>
    private readonly record struct Spares(int Total, int PerNetwork);

    // Counts one more towards the ceiling of everything sent to key (the caller has counted it in fromAddress, the
    // (key, client address) counter). Past the ceiling, an address's first of the window still goes, from spares
    // counted apart (those refused at the ceiling go on counting there), a network's addresses only its share of them:
    // strangers spending the ceiling from one address or a few, or from one home's many, leave the owner, asking from
    // theirs, their mail or code, and key is sent ceiling + spares at most. Answers the ceiling's counter when refused,
    // null when it goes.
    private async Task<LoginFailure?> CountUnderCeilingAsync(
        string key,
        List<string> fromAddress,
        string network,
        int ceiling,
        Spares spares,
        TimeSpan window,
        CancellationToken cancellationToken
    )
    {
        List<string> fromAnywhere = [key];
        await IncrementAsync(fromAnywhere, window, cancellationToken);
        if (await OverLimitAsync(fromAnywhere, ceiling, cancellationToken) is not { } over)
            return null;
        if (await OverLimitAsync(fromAddress, 1, cancellationToken) is not null)
            return over;
        // "kind-spare:name" and "kind-spare:name|net:network", so the account's erasure (ThrottleCounters) takes them
        // with the others.
        var spareKey = key.Insert(key.IndexOf(':', StringComparison.Ordinal), "-spare");
        // The network's share first: one home's many addresses (a /56 holds 256 /64s, each an address) spend only
        // their share, past which they take nothing from the spares the owner's first request needs.
        List<string> fromNetwork = [spareKey + "|net:" + LoginThrottle.Bounded(network)];
        await IncrementAsync(fromNetwork, window, cancellationToken);
        if (await OverLimitAsync(fromNetwork, spares.PerNetwork, cancellationToken) is not null)
            return over;
        List<string> spare = [spareKey];
        await IncrementAsync(spare, window, cancellationToken);
        return await OverLimitAsync(spare, spares.Total, cancellationToken) is null ? null : over;
    }

    /// <summary>
    /// Counts a waitlist join or place request naming <paramref name="email"/> (normalized) from
    /// <paramref name="address"/>, whether or not it is listed, so the 429 says nothing about the list; each of them
    /// may mail it. Per (e-mail, client address), as registrations, so nobody can use up the owner's requests from
    /// elsewhere; and per e-mail under a higher ceiling, so many addresses cannot flood one inbox. Past the ceiling, an
    /// address's first request of the window still goes, up to the spares and its network's share of them: strangers
    /// who spent the ceiling from a few addresses, or one home's many, do not keep the owner, asking from theirs, from
    /// joining or from their place.
    /// </summary>
    public async Task CountWaitlistMailAsync(
        string email,
        string address,
        string network,
        CancellationToken cancellationToken
    )
    {
        var key = "waitlist-mail:" + LoginThrottle.Bounded(email);
        var refusal = "Too many waitlist requests for this address; try again later.";
        var settings = options.Value.RegistrationThrottle;
        List<string> fromAddress = [key + "|ip:" + LoginThrottle.Bounded(address)];
        await CountAsync(fromAddress, settings.WaitlistMailsPerAddress, settings.Window, refusal, cancellationToken);
        var over = await CountUnderCeilingAsync(
            key,
            fromAddress,
            network,
            settings.WaitlistMailsPerEmail,
            new(settings.WaitlistMailSpares, settings.WaitlistMailSparesPerNetwork),
            settings.Window,
            cancellationToken
        );
        if (over is not null)
            throw new TooManyRequestsException(refusal, over.WindowStartedAt + settings.Window - clock.GetUtcNow());
    }

    /// <summary>
    /// Counts a verification code about to be texted to <paramref name="phone"/> (normalized), by whichever account,
    /// asked for from <paramref name="address"/>; 429 past the limit, so accounts naming one stranger's number cannot
    /// flood it. Past it, a client address's first code of the window still goes, up to the spares and its network's
    /// share of them: a stranger who spent the number's texts from one address, or one home's many, does not keep its
    /// owner, asking from theirs, from their code.
    /// Inside the caller's transaction, which the counter's row serializes with the other senders to that number
    /// and which a refusal rolls back, counts and all.
    /// </summary>
    public async Task CountTextAsync(string phone, string address, string network, CancellationToken cancellationToken)
    {
        var settings = options.Value.PhoneVerification;
        var key = "sms-to:" + LoginThrottle.Bounded(phone);
        List<string> fromAddress = [key + "|ip:" + LoginThrottle.Bounded(address)];
        await IncrementAsync(fromAddress, settings.Window, cancellationToken);
        var over = await CountUnderCeilingAsync(
            key,
            fromAddress,
            network,
            settings.SendsPerNumber,
            new(settings.SpareSendsPerNumber, settings.SpareSendsPerNetwork),
            settings.Window,
            cancellationToken
        );
        if (over is not null)
        {
            throw new TooManyRequestsException(
                "Too many codes were asked for this number; try again later.",
                over.WindowStartedAt + settings.Window - clock.GetUtcNow()
            );
        }
    }

    private async Task CountAsync(
        List<string> keys,
        int limit,
        TimeSpan window,
        string refusal,
        CancellationToken cancellationToken
    )
    {
        await IncrementAsync(keys, window, cancellationToken);
        if (await OverLimitAsync(keys, limit, cancellationToken) is { } over)
            throw new TooManyRequestsException(refusal, over.WindowStartedAt + window - clock.GetUtcNow());
    }

    private async Task IncrementAsync(List<string> keys, TimeSpan window, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var windowStart = now - window;
        // In one order (ThrottleCounters.EraseAsync locks them so): two counts of the same keys wait, never deadlock.
        foreach (var key in keys.Order(StringComparer.Ordinal))
        {
            await db.Database.ExecuteSqlAsync(
                $"""
                INSERT INTO login_failures (key, window_started_at, failures) VALUES ({key}, {now}, 1)
                ON CONFLICT (key) DO UPDATE SET
                    failures = CASE WHEN login_failures.window_started_at <= {windowStart}
                        THEN 1 ELSE login_failures.failures + 1 END,
                    window_started_at = CASE WHEN login_failures.window_started_at <= {windowStart}
                        THEN {now} ELSE login_failures.window_started_at END
                """,
                cancellationToken
            );
        }
    }

    /// <summary>The counter among <paramref name="keys"/> past <paramref name="limit"/> that frees up last.</summary>
    private Task<LoginFailure?> OverLimitAsync(List<string> keys, int limit, CancellationToken cancellationToken) =>
        db
            .LoginFailures.AsNoTracking()
            .Where(f => keys.Contains(f.Key) && f.Failures > limit)
            .OrderByDescending(f => f.WindowStartedAt)
            .FirstOrDefaultAsync(cancellationToken);
}
