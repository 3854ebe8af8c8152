using System.Text;
using Community.ServiceDefaults;
using Community.ServiceDefaults.Mail;
using Microsoft.Extensions.Options;

namespace Community.Messaging.Notifications;

public sealed class DigestOptions
{
    public const string Section = "Notifications:Digest";

    /// <summary>Off unless configured: a deployment turns it on with an SMTP server (Smtp:Host) to send
    /// through.</summary>
    public bool Enabled { get; set; }

    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long after start the first run comes (the next ones every <see cref="Interval"/>), so an instance
    /// restarted more often than Interval (deploys, scaling) still runs it; a little while, for Redis and the database
    /// to be reached first.</summary>
    public TimeSpan FirstRunDelay { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long a person has been away before a digest is mailed, and the least time between two
    /// digests.</summary>
    public TimeSpan Period { get; set; } = TimeSpan.FromDays(1);
}

/// <summary>
/// Mails people away for a day a digest of their unread notifications, at most once a day, at their proven address.
/// The claim (FOR UPDATE SKIP LOCKED, digest_sent_at) commits before the mail goes, so two instances never mail one
/// person twice and no lock waits on the mail server; a failed send gives the claim back, and so does a run that stops
/// or fails for everyone it claimed and has not mailed yet, or they would wait a whole Period for their digest. Each
/// is read again just before their mail, as the claim may be minutes old by then (a slow mail server, fifty people).
/// </summary>
public sealed class NotificationDigest(
    IServiceScopeFactory scopes,
    IEmailSender email,
    HubPresence presence,
    TimeProvider clock,
    IOptions<DigestOptions> options,
    ILogger<NotificationDigest> logger
) : PeriodicSweep(clock, logger)
{
    private const int BatchSize = 50;
    private const int ItemsPerDigest = 20;

    protected override TimeSpan Every => options.Value.Interval;

    // Several instances starting together each run soon after start: safe, as every run claims whom it mails (SKIP
    // LOCKED, once a Period), so one finds nobody left that another claimed.
    protected override TimeSpan FirstRoundAfter => options.Value.FirstRunDelay;

    protected override string FailureMessage => "Sending notification digests failed; retrying on the next tick";

    protected override Task RunRoundAsync(CancellationToken stoppingToken) => RunOnceAsync(stoppingToken);

    /// <summary>Mails every digest due now; returns how many went. Stopped by <paramref name="cancellationToken"/>, it
    /// mails nobody else and gives back the claims it has not mailed before it throws.</summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        var sent = 0;
        var after = Guid.Empty;
        while (true)
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<MessagingDbContext>();
            var now = Clock.GetUtcNow();
            var away = now - options.Value.Period;
            var candidates = await db
                .Database.SqlQuery<Guid>(
                    $"""
                    SELECT c.user_id AS "Value"
                    FROM user_profiles c LEFT JOIN user_presence p ON p.user_id = c.user_id
                    WHERE c.user_id > {after} AND c.email IS NOT NULL AND c.email_verified AND c.deleted_at IS NULL
                      AND (c.digest_sent_at IS NULL OR c.digest_sent_at <= {away})
                      AND (p.last_offline_at IS NULL OR p.last_offline_at <= {away})
                      AND EXISTS (SELECT 1 FROM notifications_shown n WHERE n.user_id = c.user_id AND n.read_at IS NULL
                                  AND (p.last_offline_at IS NOT NULL OR n.created_at <= {away}))
                    ORDER BY c.user_id LIMIT {BatchSize}
                    """
                )
                .ToListAsync(cancellationToken);
            if (candidates.Count == 0)
                break;
            after = candidates[^1];
            // Online people are left out before the claim, so nobody's digest_sent_at moves without a mail.
            if (await presence.OnlineAsync(candidates) is not { } online)
            {
                logger.LogWarning(
                    "Notification digests wait for the next run: who is online is unknown while Redis is unreachable"
                );
                break;
            }
            var offline = candidates.Where(c => !online.Contains(c)).ToArray();
            // Not cut short: a claim committed is always known here, to be mailed or given back. Whoever was erased or
            // lost a proven address since the candidates were read is not claimed (the lock sees the newest row).
            var due = await db
                .Database.SqlQuery<DueDigest>(
                    $"""
                    UPDATE user_profiles u SET digest_sent_at = {now}
                    FROM (SELECT c.user_id, c.digest_sent_at AS previous FROM user_profiles c
                          WHERE c.user_id = ANY({offline}) AND (c.digest_sent_at IS NULL OR c.digest_sent_at <= {away})
                            AND c.deleted_at IS NULL AND c.email_verified AND c.email IS NOT NULL
                          FOR UPDATE OF c SKIP LOCKED) due
                    WHERE u.user_id = due.user_id
                    RETURNING u.user_id, u.email, due.previous
                    """
                )
                .ToListAsync(CancellationToken.None);
            var sentNow = 0;
            var settledNow = 0;
            var refused = new List<DueDigest>();
            var next = 0;
            try
            {
                for (; next < due.Count; next++)
                {
                    // A stop mails nobody more: those left are given back below.
                    cancellationToken.ThrowIfCancellationRequested();
                    var outcome = await SendAsync(db, due[next], now, cancellationToken);
                    if (outcome == Outcome.Sent)
                        sentNow++;
                    if (outcome == Outcome.RefusedForGood)
                        refused.Add(due[next]);
                    if (outcome != Outcome.TryAgain)
                        settledNow++;
                }
                // Every one of several refused: the relay's own refusal (relaying denied, a sender not verified), not
                // their mailboxes': their claims go back, and the run stops, as for a server that is down.
                if (refused.Count > 1 && refused.Count == due.Count)
                {
                    logger.LogWarning(
                        "The mail server refused every notification digest of a batch ({Count}): its settings may be "
                            + "wrong; the next run tries them again",
                        refused.Count
                    );
                    await GiveBackAsync(db, refused, now);
                    settledNow = 0;
                }
            }
            finally
            {
                // Stopped or failed on due[next] (a failed send that gave its claim back goes on to the next): it and
                // everyone after it are not mailed.
                if (next < due.Count)
                    await GiveBackAsync(db, due.Skip(next).ToList(), now);
            }
            sent += sentNow;
            // A failed send gave its claim back: stop here rather than go on at once; the next tick retries. (A mail
            // refused for good kept its claim and stops nothing: one closed mailbox must not hold up everyone after
            // it.)
            if (candidates.Count < BatchSize || settledNow < due.Count)
                break;
        }
        if (sent > 0)
            logger.LogInformation("Mailed {Count} notification digests", sent);
        return sent;
    }

    private enum Outcome
    {
        Sent,

        /// <summary>The mail server refused this mail for good (no such mailbox): the claim stays, a period.</summary>
        RefusedForGood,

        /// <summary>Not sent, its claim given back: the next run tries again.</summary>
        TryAgain,

        /// <summary>Nobody to mail since the claim (erased, another or unproven address, nothing unread): its claim
        /// given back, which an erasure has already cleared.</summary>
        Skipped,
    }

    private async Task<Outcome> SendAsync(
        MessagingDbContext db,
        DueDigest person,
        DateTimeOffset claimedAt,
        CancellationToken cancellationToken
    )
    {
        try
        {
            var unread = await NotificationQueries.UnreadAsync(db, person.UserId, cancellationToken);
            if (unread.Total == 0 || person.Email is not { } address)
                return await SkippedAsync(db, person, claimedAt);
            var page = await NotificationQueries.ListAsync(
                db,
                person.UserId,
                unreadOnly: true,
                after: null,
                ItemsPerDigest,
                cancellationToken
            );
            var body = new StringBuilder(
                $"You have {unread.Total} unread notification{(unread.Total == 1 ? "" : "s")}:\n\n"
            );
            foreach (var item in page.Items)
                body.Append("- ").Append(OneLine(item.Summary)).Append('\n');
            if (page.NextCursor is not null)
                body.Append("- and more\n");
            body.Append("\nOpen Community to read them.\n");
            // The claim committed a while ago (the mails before this one): erased, or its address changed or no longer
            // proven since, the person is not mailed.
            if (!await MailableAsync(db, person.UserId, address, cancellationToken))
                return await SkippedAsync(db, person, claimedAt);
            await email.SendAsync(
                new EmailMessage(
                    address,
                    $"Community: {unread.Total} unread notification{(unread.Total == 1 ? "" : "s")}",
                    body.ToString()
                ),
                cancellationToken
            );
            return Outcome.Sent;
        }
        catch (Exception exception)
            when (!cancellationToken.IsCancellationRequested && exception.Data[SmtpEmailSender.RefusedForGood] is true)
        {
            logger.LogWarning(
                "The notification digest to {UserId} was refused for good by the mail server ({Cause}); the next one "
                    + "is tried a period later",
                person.UserId,
                exception.Data["cause"]
            );
            return Outcome.RefusedForGood;
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            await GiveBackAsync(db, [person], claimedAt);
            logger.LogWarning(
                exception,
                "The notification digest to {UserId} could not be sent; the next run tries again",
                person.UserId
            );
            return Outcome.TryAgain;
        }
    }

    private static Task<bool> MailableAsync(
        MessagingDbContext db,
        Guid userId,
        string address,
        CancellationToken cancellationToken
    ) =>
        db
            .Database.SqlQuery<bool>(
                $"""
                SELECT EXISTS (SELECT 1 FROM user_profiles WHERE user_id = {userId} AND deleted_at IS NULL
                               AND email_verified AND email = {address}) AS "Value"
                """
            )
            .SingleAsync(cancellationToken);

    private async Task<Outcome> SkippedAsync(MessagingDbContext db, DueDigest person, DateTimeOffset claimedAt)
    {
        await GiveBackAsync(db, [person], claimedAt);
        return Outcome.Skipped;
    }

    /// <summary>
    /// A summary as one line of the mail: the names it quotes are people's own text, and one saved before names were
    /// one line (FieldRules.OneLine) could otherwise add lines the mail would show as the platform's own. Runs of
    /// spaces, line breaks and other control characters become one space; bidirectional controls are dropped.
    /// </summary>
    internal static string OneLine(string summary)
    {
        var line = new StringBuilder(summary.Length);
        foreach (var c in summary)
        {
            if (c is (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069'))
                continue;
            if (char.IsWhiteSpace(c) || char.IsControl(c))
            {
                if (line.Length > 0 && line[^1] != ' ')
                    line.Append(' ');
                continue;
            }
            line.Append(c);
        }
        return line.ToString().TrimEnd();
    }

    /// <summary>
    /// Puts back the digest_sent_at the claim at <paramref name="claimedAt"/> replaced, for people not mailed, in one
    /// statement that nothing cuts short (a stop is what often calls it), and never throws. Only this run's claim is
    /// given back: a later digest recorded meanwhile stays. Giving back twice changes nothing the second time.
    /// </summary>
    private async Task GiveBackAsync(MessagingDbContext db, IReadOnlyList<DueDigest> people, DateTimeOffset claimedAt)
    {
        var ids = people.Select(p => p.UserId).ToArray();
        var previous = people.Select(p => p.Previous).ToArray();
        try
        {
            await db.Database.ExecuteSqlAsync(
                $"""
                UPDATE user_profiles u SET digest_sent_at = g.previous
                FROM unnest({ids}, {previous}) AS g(user_id, previous)
                WHERE u.user_id = g.user_id AND u.digest_sent_at = {claimedAt}
                """,
                CancellationToken.None
            );
        }
        catch (Exception exception)
        {
            // Logged, not thrown over what stopped or failed the run: those people get their digest a Period late.
            logger.LogWarning(
                exception,
                "Notification digest claims of {Count} people could not be given back; their digest waits a period",
                people.Count
            );
        }
    }

    private sealed class DueDigest
    {
        public Guid UserId { get; init; }

        // Never null as claimed; nullable so that no row read back can throw once the claim committed.
        public string? Email { get; init; }
        public DateTimeOffset? Previous { get; init; }
    }
}

public static class NotificationsSetup
{
    /// <summary>
    /// The retention sweep (<see cref="NotificationRetention"/>), and the digest with its e-mail sender when
    /// Notifications:Digest:Enabled.
    /// </summary>
    public static IHostApplicationBuilder AddNotifications(this IHostApplicationBuilder builder)
    {
        builder
            .Services.AddOptions<DigestOptions>()
            .Bind(builder.Configuration.GetSection(DigestOptions.Section))
            // PeriodicTimer takes at most ~49 days; a digest rarer than monthly is a misconfiguration anyway.
            .Validate(
                o => o.Interval > TimeSpan.Zero && o.Interval <= TimeSpan.FromDays(30),
                "Notifications:Digest:Interval must be more than 0 and at most 30 days."
            )
            .Validate(
                o => o.FirstRunDelay >= TimeSpan.Zero && o.FirstRunDelay <= TimeSpan.FromDays(30),
                "Notifications:Digest:FirstRunDelay must be 0 or more and at most 30 days."
            )
            .Validate(o => o.Period > TimeSpan.Zero, "Notifications:Digest:Period must be more than 0.")
            .ValidateOnStart();
        builder
            .Services.AddOptions<NotificationRetentionOptions>()
            .Bind(builder.Configuration.GetSection(NotificationRetentionOptions.Section))
            // Shorter than the digest's day would delete unread ones before they are mailed.
            .Validate(o => o.Retention >= TimeSpan.FromDays(1), "Notifications:Retention must be at least a day.")
            .ValidateOnStart();
        builder.Services.AddSingleton<NotificationRetention>();
        builder.Services.AddHostedService(services => services.GetRequiredService<NotificationRetention>());
        if (builder.Configuration.GetValue<bool>($"{DigestOptions.Section}:Enabled"))
        {
            builder.AddEmailSender();
            builder.Services.AddSingleton<NotificationDigest>();
            builder.Services.AddHostedService(services => services.GetRequiredService<NotificationDigest>());
        }
        return builder;
    }
}
