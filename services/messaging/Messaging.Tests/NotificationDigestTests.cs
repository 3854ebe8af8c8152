using Community.Contracts.Identity;
using Community.Contracts.Payments;
using Community.Messaging.Notifications;

namespace Community.Messaging.Tests;

/// <summary>Messaging with the digest on, mailing through a real SMTP client to a sink; its timers (the first run's
/// and the interval's) never fire, tests run it.</summary>
public sealed class DigestFixture : MessagingFixture
{
    public SmtpSink Smtp { get; } = new();

    protected override void ConfigureService(IDictionary<string, string?> settings)
    {
        base.ConfigureService(settings);
        settings["Notifications:Digest:Enabled"] = "true";
        settings["Notifications:Digest:Interval"] = "30.00:00:00";
        settings["Notifications:Digest:FirstRunDelay"] = "30.00:00:00";
        settings["Smtp:Host"] = "127.0.0.1";
        settings["Smtp:Port"] = Smtp.Port.ToString();
        settings["Smtp:EnableSsl"] = "false";
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Smtp.DisposeAsync();
    }
}

/// <summary>The daily digest: to people away for a day, at most once a day, never twice however many instances run
/// it.</summary>
public sealed class NotificationDigestTests(DigestFixture fx) : IClassFixture<DigestFixture>
{
    private NotificationDigest Digest => fx.Host.Services.GetRequiredService<NotificationDigest>();

    /// <summary>
    /// A registered person with an e-mail address and nothing to read yet; identity's IsVerified is true when either
    /// the e-mail or the phone is proven.
    /// </summary>
    private async Task<(Guid Id, string Email)> PersonAsync(bool emailVerified = true, bool phoneVerified = false)
    {
        var id = Guid.NewGuid();
        var email = $"p{id:N}@example.test";
        var registered = new UserRegistered(
            Guid.NewGuid(),
            fx.Tick(),
            id,
            "u" + id.ToString("N")[..10],
            email,
            null,
            "Person " + id.ToString("N")[..4],
            Roles.Member,
            "REF",
            null
        )
        {
            IsVerified = emailVerified || phoneVerified,
            EmailVerified = emailVerified,
        };
        await fx.DeliverAsync(registered);
        return (id, email);
    }

    /// <summary>A registered person (<see cref="PersonAsync"/>) with an unread notification.</summary>
    private async Task<(Guid Id, string Email)> PersonWithUnreadAsync(
        bool emailVerified = true,
        bool phoneVerified = false
    )
    {
        var (id, email) = await PersonAsync(emailVerified, phoneVerified);
        var paid = new PaymentSucceeded(
            Guid.NewGuid(),
            fx.Tick(),
            Guid.NewGuid(),
            id,
            "event",
            Guid.NewGuid(),
            2000,
            "EUR"
        );
        await fx.PublishAsync(paid);
        await fx.HandledAsync(paid.MessageId, "PaymentSucceededNotifier");
        return (id, email);
    }

    /// <summary>Each test starts with nobody due: what earlier tests left unread is read.</summary>
    private Task NobodyDueAsync() => fx.ExecuteAsync("UPDATE notifications SET read_at = now() WHERE read_at IS NULL");

    private int MailsTo(string email) =>
        fx.Smtp.Messages.Count(m => m.To.Any(t => t.Contains(email, StringComparison.OrdinalIgnoreCase)));

    /// <summary>The person's unread notifications as the bell counts them: in total, or of one kind.</summary>
    private async Task<long> UnreadAsync(Guid userId, string? kind = null)
    {
        var count = await (await fx.Client.Get("/api/v1/notifications/unread-count", fx.TokenFor(userId))).AssertStatus(
            200
        );
        return (kind is null ? count["total"] : count["by_kind"]![kind])!.GetValue<long>();
    }

    [Fact]
    public async Task A_mailbox_refused_for_good_keeps_its_claim_and_holds_up_nobody()
    {
        await NobodyDueAsync();
        var (refusedId, refused) = await PersonWithUnreadAsync();
        var (_, other) = await PersonWithUnreadAsync();
        fx.Smtp.Refuses = to => to.Equals(refused, StringComparison.OrdinalIgnoreCase);
        try
        {
            fx.Clock.Advance(TimeSpan.FromHours(25));
            Assert.Equal(1, await Digest.RunOnceAsync(CancellationToken.None));
            await fx.Smtp.WaitForAsync(other);
            // a closed mailbox is not tried again at every run (its claim stays: tried again a period later)
            Assert.True(
                await fx.ScalarAsync<bool>(
                    "SELECT digest_sent_at IS NOT NULL FROM user_profiles WHERE user_id = @u",
                    ("u", refusedId)
                )
            );
            Assert.Equal(0, MailsTo(refused));
        }
        finally
        {
            fx.Smtp.Refuses = _ => false;
        }
    }

    [Fact]
    public async Task A_relay_refusing_everyone_keeps_no_claim()
    {
        await NobodyDueAsync();
        var (firstId, _) = await PersonWithUnreadAsync();
        var (secondId, second) = await PersonWithUnreadAsync();
        fx.Smtp.Refuses = _ => true;
        try
        {
            fx.Clock.Advance(TimeSpan.FromHours(25));
            Assert.Equal(0, await Digest.RunOnceAsync(CancellationToken.None));
            Assert.Equal(
                0L,
                await fx.ScalarAsync<long>(
                    "SELECT count(*) FROM user_profiles WHERE user_id IN (@a, @b) AND digest_sent_at IS NOT NULL",
                    ("a", firstId),
                    ("b", secondId)
                )
            );
        }
        finally
        {
            fx.Smtp.Refuses = _ => false;
        }
        // the relay mended: the next run mails them
        Assert.Equal(2, await Digest.RunOnceAsync(CancellationToken.None));
        await fx.Smtp.WaitForAsync(second);
    }

    [Fact]
    public async Task Away_people_get_one_digest_a_day_and_online_people_none()
    {
        await NobodyDueAsync();
        var (_, neverConnected) = await PersonWithUnreadAsync();
        var (onlineId, online) = await PersonWithUnreadAsync();
        var (recentlyLeftId, recentlyLeft) = await PersonWithUnreadAsync();
        var (awayId, away) = await PersonWithUnreadAsync();
        var (readId, readEverything) = await PersonWithUnreadAsync();
        var (unprovenId, unproven) = await PersonWithUnreadAsync(emailVerified: false);
        await fx.ExecuteAsync("UPDATE notifications SET read_at = now() WHERE user_id = @u", ("u", readId));

        // Fresh notifications of someone never connected are not a day old yet: nothing goes.
        Assert.Equal(0, await Digest.RunOnceAsync(CancellationToken.None));

        fx.Clock.Advance(TimeSpan.FromHours(25));
        var now = fx.Clock.GetUtcNow();
        // Online now (a hub connection on this instance), after being away long ago.
        await fx.ExecuteAsync(
            "INSERT INTO user_presence (user_id, last_offline_at) VALUES (@u, @t)",
            ("u", onlineId),
            ("t", now.AddHours(-30))
        );
        await fx.Host.Services.GetRequiredService<HubPresence>().ConnectedAsync("on-1", onlineId);
        await fx.ExecuteAsync(
            "INSERT INTO user_presence (user_id, last_offline_at) VALUES (@u, @t)",
            ("u", recentlyLeftId),
            ("t", now.AddHours(-2))
        );
        await fx.ExecuteAsync(
            "INSERT INTO user_presence (user_id, last_offline_at) VALUES (@u, @t)",
            ("u", awayId),
            ("t", now.AddHours(-30))
        );

        Assert.Equal(2, await Digest.RunOnceAsync(CancellationToken.None));
        var mail = await fx.Smtp.WaitForAsync(neverConnected);
        Assert.Contains("1 unread notification", mail.Body);
        Assert.Contains("Your payment of 20.00 EUR went through", mail.Body);
        await fx.Smtp.WaitForAsync(away);
        Assert.Equal(0, MailsTo(online));
        Assert.Equal(0, MailsTo(recentlyLeft));
        Assert.Equal(0, MailsTo(readEverything));
        Assert.Equal(0, MailsTo(unproven));
        Assert.True(
            await fx.ScalarAsync<bool>(
                "SELECT digest_sent_at IS NOT NULL FROM user_profiles WHERE user_id = @u",
                ("u", awayId)
            )
        );

        // At most once a day: a run an hour later sends nothing; a day later the still-unread digests go again, and the
        // person who had just left is now a day away too.
        fx.Clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(0, await Digest.RunOnceAsync(CancellationToken.None));
        Assert.Equal(1, MailsTo(away));
        fx.Clock.Advance(TimeSpan.FromHours(24));
        // Proven later (a profile update says so), the address is mailed from then on.
        await fx.DeliverAsync(
            new UserProfileUpdated(
                Guid.NewGuid(),
                fx.Tick(),
                unprovenId,
                "proven",
                "Proven",
                null,
                null,
                null,
                [],
                [],
                null,
                ["is_verified", "email_verified"]
            )
            {
                IsVerified = true,
                EmailVerified = true,
            }
        );
        Assert.Equal(4, await Digest.RunOnceAsync(CancellationToken.None));
        await Eventually.TrueAsync(
            () => Task.FromResult(MailsTo(away) == 2 && MailsTo(recentlyLeft) == 1 && MailsTo(unproven) == 1),
            "the second day's digests never arrived"
        );
        Assert.Equal(0, MailsTo(online));
    }

    [Fact]
    public async Task A_proven_phone_gets_no_digest_to_the_unproven_email_until_the_email_is_proven()
    {
        await NobodyDueAsync();
        // Registered with a stranger's e-mail beside the registrant's own phone, which they then proved.
        var (id, email) = await PersonWithUnreadAsync(emailVerified: false, phoneVerified: true);
        await fx.DeliverAsync(Proven(id, emailVerified: false));
        fx.Clock.Advance(TimeSpan.FromHours(25));

        Assert.Equal(0, await Digest.RunOnceAsync(CancellationToken.None));
        Assert.False(
            await fx.ScalarAsync<bool>("SELECT email_verified FROM user_profiles WHERE user_id = @u", ("u", id))
        );

        // The e-mail itself proven, it gets the digest.
        await fx.DeliverAsync(Proven(id, emailVerified: true));
        Assert.Equal(1, await Digest.RunOnceAsync(CancellationToken.None));
        await fx.Smtp.WaitForAsync(email);
        Assert.Equal(1, MailsTo(email));
    }

    /// <summary>Identity's update for a proof made: of the phone (the account verified) or of the e-mail.</summary>
    private UserProfileUpdated Proven(Guid id, bool emailVerified) =>
        new(
            Guid.NewGuid(),
            fx.Tick(),
            id,
            "u" + id.ToString("N")[..10],
            "Person " + id.ToString("N")[..4],
            null,
            null,
            null,
            [],
            [],
            null,
            [emailVerified ? "email_verified" : "is_verified"]
        )
        {
            IsVerified = true,
            EmailVerified = emailVerified,
        };

    [Fact]
    public async Task Two_instances_running_at_once_never_mail_anyone_twice()
    {
        await NobodyDueAsync();
        var people = new List<string>();
        for (var i = 0; i < 8; i++)
            people.Add((await PersonWithUnreadAsync()).Email);
        fx.Clock.Advance(TimeSpan.FromHours(25));
        await using var second = fx.StartHost();
        await SettledAsync(second);
        var other = second.Services.GetRequiredService<NotificationDigest>();

        var runs = await Task.WhenAll(
            Digest.RunOnceAsync(CancellationToken.None),
            other.RunOnceAsync(CancellationToken.None),
            Digest.RunOnceAsync(CancellationToken.None),
            other.RunOnceAsync(CancellationToken.None)
        );
        Assert.Equal(people.Count, runs.Sum());
        foreach (var email in people)
            await fx.Smtp.WaitForAsync(email);
        Assert.All(people, email => Assert.Equal(1, MailsTo(email)));
    }

    [Fact]
    public async Task Reading_a_conversation_reads_its_message_notifications_so_no_digest_tells_of_them()
    {
        await NobodyDueAsync();
        var (bId, email) = await PersonAsync();
        var (aId, a) = await fx.RegisteredAsync();
        await fx.ConnectAsync(aId, bId);
        var c = await fx.DirectAsync(a, bId);
        // B is not looking (no hub connection): each message is a notification.
        await fx.SendAsync(a, c, "one");
        await fx.SendAsync(a, c, "two");
        Assert.Equal(2L, await UnreadAsync(bId, "message_received"));

        // Read through the chat's own endpoint: up to the first, the second stays unread; up to the last, none is.
        async Task ReadAsync(long seq)
        {
            var position = await (
                await fx.Client.PostJson($"/api/v1/conversations/{c}/read", new { seq }, fx.TokenFor(bId))
            ).AssertStatus(200);
            Assert.Equal(seq, position["read_seq"]!.GetValue<long>());
        }
        await ReadAsync(1);
        Assert.Equal(1L, await UnreadAsync(bId, "message_received"));
        await ReadAsync(2);
        Assert.Equal(0L, await UnreadAsync(bId));

        // A day away, the digest has nothing to tell them of.
        fx.Clock.Advance(TimeSpan.FromHours(25));
        Assert.Equal(0, await Digest.RunOnceAsync(CancellationToken.None));
        Assert.Equal(0, MailsTo(email));

        // A message after the read position is unread, and a day later the digest tells of that one alone.
        await fx.SendAsync(fx.TokenFor(aId), c, "three");
        Assert.Equal(1L, await UnreadAsync(bId));
        fx.Clock.Advance(TimeSpan.FromHours(25));
        Assert.Equal(1, await Digest.RunOnceAsync(CancellationToken.None));
        var mail = await fx.Smtp.WaitForAsync(email);
        Assert.Contains("You have 1 unread notification:", mail.Body);
        Assert.Contains("sent you a message", mail.Body);
    }

    [Fact]
    public async Task A_name_saved_with_line_breaks_stays_on_its_line_of_the_digest()
    {
        await NobodyDueAsync();
        var (bId, email) = await PersonAsync();
        var (aId, _) = await fx.RegisteredAsync();
        // A name stored before names were one line, made to look like the platform's own words.
        await fx.ExecuteAsync(
            "UPDATE user_profiles SET display_name = @n WHERE user_id = @u",
            ("n", "Lina\r\n\r\nSECURITY: your account is locked, verify at evil.example\n\u202E"),
            ("u", aId)
        );
        await fx.DeliverAsync(
            new ConnectionRequested(Guid.NewGuid(), fx.Tick(), Guid.NewGuid(), aId, bId),
            "ConnectionRequestedNotifier"
        );
        Assert.Equal(1L, await UnreadAsync(bId));

        fx.Clock.Advance(TimeSpan.FromHours(25));
        Assert.Equal(1, await Digest.RunOnceAsync(CancellationToken.None));
        var body = (await fx.Smtp.WaitForAsync(email)).Body;
        Assert.Contains(
            "- Lina SECURITY: your account is locked, verify at evil.example asked to connect with you\n",
            body.Replace("\r\n", "\n")
        );
        Assert.DoesNotContain(body.Split('\n'), line => line.TrimStart().StartsWith("SECURITY"));
    }

    [Fact]
    public async Task A_run_stopped_while_mailing_gives_back_every_claim_it_had_not_mailed()
    {
        await NobodyDueAsync();
        var people = new List<(Guid Id, string Email)>();
        for (var i = 0; i < 3; i++)
            people.Add(await PersonWithUnreadAsync());
        var ids = people.Select(p => p.Id).ToArray();
        fx.Clock.Advance(TimeSpan.FromHours(25));
        // One of them had a digest two days ago: that time is what their claim gives back; the others had none.
        var earlier = fx.Clock.GetUtcNow().AddDays(-2);
        await fx.ExecuteAsync(
            "UPDATE user_profiles SET digest_sent_at = @t WHERE user_id = @u",
            ("t", earlier),
            ("u", ids[0])
        );
        var beforeRun = fx.Clock.GetUtcNow();

        using (fx.Smtp.Hold())
        {
            // The mail server takes the connection and says nothing: the run waits on its first mail until stopped.
            using var stop = new CancellationTokenSource();
            var run = Digest.RunOnceAsync(stop.Token);
            await ClaimedAsync(ids, beforeRun);
            await stop.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(TimeSpan.FromSeconds(20)));
        }

        // Every claim is back as it was, and nobody was mailed.
        Assert.Equal(
            1L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM user_profiles WHERE user_id = @u AND digest_sent_at = @t",
                ("u", ids[0]),
                ("t", earlier)
            )
        );
        Assert.Equal(
            2L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM user_profiles WHERE user_id = ANY(@ids) AND digest_sent_at IS NULL",
                ("ids", ids[1..])
            )
        );
        Assert.All(people, p => Assert.Equal(0, MailsTo(p.Email)));

        // So the next run mails them, once each, rather than a whole period later.
        Assert.Equal(3, await Digest.RunOnceAsync(CancellationToken.None));
        foreach (var (_, email) in people)
            await fx.Smtp.WaitForAsync(email);
        Assert.All(people, p => Assert.Equal(1, MailsTo(p.Email)));
    }

    // The claim commits before the mails go one by one, the last maybe minutes later (a slow mail server): whoever was
    // erased, read everything or moved to another address by then is not mailed (only a mail already under way goes),
    // and the one who moved has their claim back, so the next run mails the new address.
    [Fact]
    public async Task Nobody_erased_read_up_or_moved_since_the_claim_is_mailed()
    {
        await NobodyDueAsync();
        var (erasedId, erased) = await PersonWithUnreadAsync();
        var (readerId, reader) = await PersonWithUnreadAsync();
        var (movedId, moved) = await PersonWithUnreadAsync();
        var ids = new[] { erasedId, readerId, movedId };
        var movedTo = $"n{movedId:N}@example.test";
        fx.Clock.Advance(TimeSpan.FromHours(25));
        var beforeRun = fx.Clock.GetUtcNow();
        Task<int> run;
        using (fx.Smtp.Hold())
        {
            run = Digest.RunOnceAsync(CancellationToken.None);
            await ClaimedAsync(ids, beforeRun);
            await fx.DeliverAsync(new UserDeleted(Guid.NewGuid(), fx.Tick(), erasedId));
            await fx.ExecuteAsync("UPDATE notifications SET read_at = now() WHERE user_id = @u", ("u", readerId));
            // Identity announces the account again, with its new address.
            await fx.DeliverAsync(
                new UserRegistered(
                    Guid.NewGuid(),
                    fx.Tick(),
                    movedId,
                    "u" + movedId.ToString("N")[..10],
                    movedTo,
                    null,
                    "M",
                    Roles.Member,
                    "REF",
                    null
                )
                {
                    IsVerified = true,
                    EmailVerified = true,
                }
            );
        }
        var sent = await run.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.InRange(sent, 0, 1);
        Assert.Equal(sent, MailsTo(erased) + MailsTo(reader) + MailsTo(moved));
        Assert.DoesNotContain(fx.Smtp.Messages, m => m.Body.Contains("You have 0 unread"));
        if (MailsTo(moved) == 0)
        {
            Assert.Equal(1, await Digest.RunOnceAsync(CancellationToken.None));
            await fx.Smtp.WaitForAsync(movedTo);
        }
        Assert.Equal(1, MailsTo(moved) + MailsTo(movedTo));
    }

    // An erasure committing between the run's read of who is due and its claim: the account is not claimed (it has no
    // address left to read back), and the rest of the batch is mailed.
    [Fact]
    public async Task An_erasure_just_before_the_claim_holds_up_nobody_else()
    {
        await NobodyDueAsync();
        var (erasedId, erased) = await PersonWithUnreadAsync();
        var (_, other) = await PersonWithUnreadAsync();
        fx.Clock.Advance(TimeSpan.FromHours(25));
        // The erasure's write (UserProfileEraser), in a transaction whose SHARE lock keeps the claim's UPDATE waiting
        // but not the reads before it; committed once the claim waits.
        var sent = await fx.CommitsWhileWaitedOnAsync(
            """
            LOCK TABLE user_profiles IN SHARE MODE;
            UPDATE user_profiles SET username = NULL, display_name = NULL, email = NULL, email_verified = false,
                digest_sent_at = NULL, deleted_at = now()
            WHERE user_id = @u
            """,
            () => Digest.RunOnceAsync(CancellationToken.None),
            "the digest's claim never waited on the erasure",
            ("u", erasedId)
        );
        Assert.Equal(1, sent);
        await fx.Smtp.WaitForAsync(other);
        Assert.Equal(0, MailsTo(erased));
    }

    [Fact]
    public async Task An_instance_runs_the_digest_soon_after_it_starts_not_an_interval_later()
    {
        await NobodyDueAsync();
        var (_, email) = await PersonWithUnreadAsync();
        fx.Clock.Advance(TimeSpan.FromHours(25));

        // Nobody calls it here: the new instance's first run comes at once, its interval (30 days) never.
        await using var started = fx.StartHost(
            new Dictionary<string, string?> { ["Notifications:Digest:FirstRunDelay"] = "00:00:00" }
        );
        await fx.Smtp.WaitForAsync(email, TimeSpan.FromSeconds(30));
        Assert.Equal(1, MailsTo(email));
        await SettledAsync(started);
    }

    /// <summary>
    /// Until a second instance's bus has started. It shares the fixture's queues, and one disposed while its bus was
    /// still starting (a slow machine) could keep consuming, unseen, into the next tests: each of them then waited in
    /// vain for its first message (five failures in two CI runs).
    /// </summary>
    private static Task SettledAsync(ServiceHost<Program> instance) => ServiceFixture<Program>.BusReadyAsync(instance);

    /// <summary>Waits until a run claimed all of <paramref name="ids"/> since <paramref name="since"/>.</summary>
    private Task ClaimedAsync(Guid[] ids, DateTimeOffset since) =>
        Eventually.TrueAsync(
            async () =>
                await fx.ScalarAsync<long>(
                    "SELECT count(*) FROM user_profiles WHERE user_id = ANY(@ids) AND digest_sent_at >= @t",
                    ("ids", ids),
                    ("t", since)
                ) == ids.Length,
            $"the run never claimed the {ids.Length} people due"
        );
}
