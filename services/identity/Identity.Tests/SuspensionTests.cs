using System.Globalization;
using Community.Contracts.Social;
using Npgsql;
using OtpNet;

namespace Community.Identity.Tests;

/// <summary>
/// A report resolved with suspend_user (or an admin directly) suspends an account: its sessions end at once, every
/// sign-in answers 403 with the suspension's end, and the account works again when it passes or an admin lifts it.
/// </summary>
public sealed class SuspensionTests(IdentityFixture fx) : IClassFixture<IdentityFixture>
{
    private const string Password = "correct-horse-9";
    private HttpClient Client => fx.Client;

    private sealed record Member(Guid Id, string Username, string Access, string Refresh);

    private async Task<Member> MemberAsync()
    {
        var registered = await fx.RegisterAsync();
        return new Member(
            Guid.Parse(registered["user"]!["id"]!.GetValue<string>()),
            registered["user"]!["username"]!.GetValue<string>(),
            registered["access_token"]!.GetValue<string>(),
            registered["refresh_token"]!.GetValue<string>()
        );
    }

    private DateTimeOffset WholeSecondsFromNow(TimeSpan by)
    {
        var at = fx.Clock.GetUtcNow() + by;
        return at.AddTicks(-(at.UtcTicks % TimeSpan.TicksPerSecond));
    }

    private ReportResolved Resolution(Guid target, DateTimeOffset? until, string action = "suspend_user") =>
        new(
            Guid.NewGuid(),
            fx.Tick(),
            Guid.NewGuid(),
            Guid.NewGuid(),
            "user",
            target,
            "harassment",
            action,
            "Repeated harassment.",
            Guid.NewGuid()
        )
        {
            SuspendedUntil = until,
        };

    private Task<HttpResponseMessage> LoginAsync(string username) =>
        Client.PostJson("/api/v1/auth/login", new { identifier = username, password = Password });

    /// <summary>Whether identity refuses the token because its session ended.</summary>
    private async Task<bool> EndedAsync(string token)
    {
        var response = await Client.Get("/api/v1/auth/me", token);
        if (response.StatusCode != HttpStatusCode.Unauthorized)
            return false;
        var problem = await response.AssertProblem(401);
        return problem["detail"]!.GetValue<string>().Contains("session has ended");
    }

    private async Task<string> AdminAsync() => await fx.LoginAsync(IdentityFixture.AdminUsername, fx.AdminPassword);

    [Fact]
    public async Task A_report_resolved_with_suspend_user_ends_every_session_and_login_answers_403_with_the_end()
    {
        var member = await MemberAsync();
        var other = await fx.LoginAsync(member.Username, Password);
        var until = WholeSecondsFromNow(TimeSpan.FromDays(2));

        await fx.DeliverAsync(Resolution(member.Id, until), "SuspendUserConsumer");

        await Eventually.TrueAsync(() => EndedAsync(member.Access), "the suspended member's token still works");
        await Eventually.TrueAsync(() => EndedAsync(other), "the suspended member's other session still works");
        var refresh = await (
            await Client.PostJson("/api/v1/auth/refresh", new { refresh_token = member.Refresh })
        ).AssertProblem(401);
        Assert.Contains("revoked", refresh["detail"]!.GetValue<string>());

        var problem = await (await LoginAsync(member.Username)).AssertProblem(403);
        Assert.Contains("suspended until", problem["detail"]!.GetValue<string>());
        Assert.Equal(until, problem["suspended_until"]!.GetValue<DateTimeOffset>());
        Assert.NotNull(problem["request_id"]);
        // A wrong password learns nothing about the suspension.
        await (
            await Client.PostJson("/api/v1/auth/login", new { identifier = member.Username, password = "wrong-one-9" })
        ).AssertProblem(401);

        Assert.Equal(
            1L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM outbox_messages WHERE type LIKE '%UserSuspended,%' AND payload->>'userId' = @id",
                ("id", member.Id.ToString())
            )
        );
        Assert.Equal(
            1L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM outbox_messages WHERE type LIKE '%UserSessionsEnded,%' "
                    + "AND payload->>'userId' = @id AND payload->>'reason' = 'suspended'",
                ("id", member.Id.ToString())
            )
        );
    }

    [Fact]
    public async Task The_account_works_again_once_the_suspension_has_passed()
    {
        var member = await MemberAsync();
        await fx.DeliverAsync(Resolution(member.Id, WholeSecondsFromNow(TimeSpan.FromHours(1))), "SuspendUserConsumer");
        await (await LoginAsync(member.Username)).AssertProblem(403);

        fx.Clock.Advance(TimeSpan.FromMinutes(61));
        try
        {
            await (await LoginAsync(member.Username)).AssertStatus(200);
        }
        finally
        {
            fx.Clock.Advance(TimeSpan.FromMinutes(-61));
        }
    }

    [Fact]
    public async Task A_duplicate_delivery_suspends_once_and_other_resolutions_change_nothing()
    {
        var member = await MemberAsync();
        var warned = await MemberAsync();
        var resolution = Resolution(member.Id, null);
        await fx.DeliverAsync(resolution, "SuspendUserConsumer");
        await fx.PublishAsync(resolution);
        await fx.ConsumedAsync(resolution.MessageId, "SuspendUserConsumer", times: 2);
        await fx.DeliverAsync(Resolution(warned.Id, null, action: "warn"), "SuspendUserConsumer");
        await fx.DeliverAsync(Resolution(warned.Id, null, action: "remove_content"), "SuspendUserConsumer");

        Assert.Equal(
            1L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM outbox_messages WHERE type LIKE '%UserSuspended,%' AND payload->>'userId' = @id",
                ("id", member.Id.ToString())
            )
        );
        Assert.Equal(
            1L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM session_revocations WHERE user_id = @id AND reason = 'suspended'",
                ("id", member.Id)
            )
        );
        var problem = await (await LoginAsync(member.Username)).AssertProblem(403);
        Assert.True(problem.AsObject().ContainsKey("suspended_until"), "suspended_until is missing");
        Assert.Null(problem["suspended_until"]);
        Assert.Contains("until an admin lifts", problem["detail"]!.GetValue<string>());
        await (await LoginAsync(warned.Username)).AssertStatus(200);
        await (await Client.Get("/api/v1/auth/me", warned.Access)).AssertStatus(200);
    }

    [Fact]
    public async Task An_admin_sees_and_lifts_a_suspension_idempotently()
    {
        var member = await MemberAsync();
        var admin = await AdminAsync();
        var url = $"/api/v1/admin/users/{member.Id}/suspension";
        var none = await (await Client.Get(url, admin)).AssertStatus(200);
        Assert.False(none["suspended"]!.GetValue<bool>());

        await fx.DeliverAsync(Resolution(member.Id, null), "SuspendUserConsumer");
        var seen = await (await Client.Get(url, admin)).AssertStatus(200);
        Assert.True(seen["suspended"]!.GetValue<bool>());
        Assert.Null(seen["suspended_until"]);
        Assert.Equal("Repeated harassment.", seen["reason"]!.GetValue<string>());

        Assert.Equal(HttpStatusCode.NoContent, (await Client.SendJson(HttpMethod.Delete, url, null, admin)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await Client.SendJson(HttpMethod.Delete, url, null, admin)).StatusCode);
        await (await LoginAsync(member.Username)).AssertStatus(200);
        Assert.False((await (await Client.Get(url, admin)).AssertStatus(200))["suspended"]!.GetValue<bool>());
        Assert.Equal(
            1L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM outbox_messages WHERE type LIKE '%UserSuspensionLifted,%' "
                    + "AND payload->>'userId' = @id",
                ("id", member.Id.ToString())
            )
        );

        var unknown = $"/api/v1/admin/users/{Guid.NewGuid()}/suspension";
        await (await Client.SendJson(HttpMethod.Delete, unknown, null, admin)).AssertProblem(404);
        await (await Client.Get(unknown, admin)).AssertProblem(404);
        await (await Client.SendJson(HttpMethod.Put, unknown, new { reason = "spam" }, admin)).AssertProblem(404);
    }

    [Fact]
    public async Task An_account_erased_while_an_admin_suspends_it_is_a_404_and_nothing_is_written_for_it()
    {
        var member = await MemberAsync();
        var admin = await AdminAsync();
        await using var other = new NpgsqlConnection(fx.Resources.DatabaseConnectionString);
        await other.OpenAsync();
        HttpResponseMessage response;
        await using (var erasing = await other.BeginTransactionAsync())
        {
            await using (var hold = new NpgsqlCommand("SELECT 1 FROM users WHERE id = @id FOR UPDATE", other, erasing))
            {
                hold.Parameters.AddWithValue("id", member.Id);
                await hold.ExecuteNonQueryAsync();
            }
            var suspending = Client.SendJson(
                HttpMethod.Put,
                $"/api/v1/admin/users/{member.Id}/suspension",
                new { reason = "spam" },
                admin
            );
            await fx.DoneOrWaitingOnALockAsync(
                () => suspending.IsCompleted,
                "%FROM users WHERE id = % FOR UPDATE%",
                1,
                "the suspension never waited for the account's row"
            );
            await using (var erase = new NpgsqlCommand("DELETE FROM users WHERE id = @id", other, erasing))
            {
                erase.Parameters.AddWithValue("id", member.Id);
                await erase.ExecuteNonQueryAsync();
            }
            await erasing.CommitAsync();
            response = await suspending;
        }

        await response.AssertProblem(404);
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM session_revocations WHERE user_id = @id",
                ("id", member.Id)
            )
        );
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM outbox_messages WHERE (type LIKE '%UserSuspended,%' "
                    + "OR type LIKE '%UserSessionsEnded,%') AND payload->>'userId' = @id",
                ("id", member.Id.ToString())
            )
        );
    }

    [Fact]
    public async Task A_resolution_older_than_an_admins_decision_or_already_over_changes_nothing_when_handled_late()
    {
        var member = await MemberAsync();
        var admin = await AdminAsync();
        var url = $"/api/v1/admin/users/{member.Id}/suspension";
        // Resolved before the admin's decisions below, handled after them (a backlog, a replay from the _error queue).
        var lifted = Resolution(member.Id, WholeSecondsFromNow(TimeSpan.FromDays(7)));
        var shortened = Resolution(member.Id, WholeSecondsFromNow(TimeSpan.FromDays(7)));
        fx.Tick();

        await (await Client.SendJson(HttpMethod.Put, url, new { reason = "spam" }, admin)).AssertStatus(200);
        await (await Client.SendJson(HttpMethod.Delete, url, null, admin)).AssertStatus(204);
        await fx.DeliverAsync(lifted, "SuspendUserConsumer");
        Assert.False((await (await Client.Get(url, admin)).AssertStatus(200))["suspended"]!.GetValue<bool>());
        var signedIn = await (await LoginAsync(member.Username)).AssertStatus(200);

        // Suspended until lifted: an older resolution's week does not shorten it.
        await (await Client.SendJson(HttpMethod.Put, url, new { reason = "spam again" }, admin)).AssertStatus(200);
        await fx.DeliverAsync(shortened, "SuspendUserConsumer");
        var seen = await (await Client.Get(url, admin)).AssertStatus(200);
        Assert.True(seen["suspended"]!.GetValue<bool>());
        Assert.Null(seen["suspended_until"]);
        Assert.Equal("spam again", seen["reason"]!.GetValue<string>());

        // An admin who finds the account not suspended (the resolution is still waiting) and lifts decides too.
        var waitedFor = await MemberAsync();
        var waiting = Resolution(waitedFor.Id, null);
        fx.Tick();
        var waitedUrl = $"/api/v1/admin/users/{waitedFor.Id}/suspension";
        await (await Client.SendJson(HttpMethod.Delete, waitedUrl, null, admin)).AssertStatus(204);
        await fx.DeliverAsync(waiting, "SuspendUserConsumer");
        Assert.False((await (await Client.Get(waitedUrl, admin)).AssertStatus(200))["suspended"]!.GetValue<bool>());
        Assert.False(await EndedAsync(waitedFor.Access));

        // A suspension already over when handled ends no session.
        var other = await MemberAsync();
        await fx.DeliverAsync(Resolution(other.Id, WholeSecondsFromNow(TimeSpan.FromHours(-1))), "SuspendUserConsumer");
        Assert.False(await EndedAsync(other.Access));
        Assert.NotNull(signedIn["access_token"]);
    }

    [Fact]
    public async Task A_later_reports_shorter_suspension_does_not_shorten_one_in_force_and_a_longer_one_extends_it()
    {
        var member = await MemberAsync();
        var admin = await AdminAsync();
        var url = $"/api/v1/admin/users/{member.Id}/suspension";
        await fx.DeliverAsync(Resolution(member.Id, null), "SuspendUserConsumer");
        await fx.DeliverAsync(Resolution(member.Id, WholeSecondsFromNow(TimeSpan.FromDays(1))), "SuspendUserConsumer");
        var seen = await (await Client.Get(url, admin)).AssertStatus(200);
        Assert.True(seen["suspended"]!.GetValue<bool>());
        Assert.Null(seen["suspended_until"]);

        var other = await MemberAsync();
        var otherUrl = $"/api/v1/admin/users/{other.Id}/suspension";
        var week = WholeSecondsFromNow(TimeSpan.FromDays(7));
        await fx.DeliverAsync(Resolution(other.Id, week), "SuspendUserConsumer");
        await fx.DeliverAsync(Resolution(other.Id, WholeSecondsFromNow(TimeSpan.FromDays(1))), "SuspendUserConsumer");
        Assert.Equal(
            week,
            (await (await Client.Get(otherUrl, admin)).AssertStatus(200))["suspended_until"]!.GetValue<DateTimeOffset>()
        );
        var month = WholeSecondsFromNow(TimeSpan.FromDays(30));
        await fx.DeliverAsync(Resolution(other.Id, month), "SuspendUserConsumer");
        Assert.Equal(
            month,
            (await (await Client.Get(otherUrl, admin)).AssertStatus(200))["suspended_until"]!.GetValue<DateTimeOffset>()
        );
    }

    // An admin lifts while a report's suspension of the account is being handled (its transaction holds the admins'
    // rows and the account's): the lift waits for it and lifts what it wrote, rather than keeping it and recording the
    // lift as the newer decision.
    [Fact]
    public async Task A_lift_racing_a_reports_suspension_lifts_it()
    {
        var member = await MemberAsync();
        var admin = await AdminAsync();
        var url = $"/api/v1/admin/users/{member.Id}/suspension";

        var lifted = await fx.CommitsWhileWaitedOnAsync(
            """
            SELECT 1 FROM users WHERE role = 'admin' ORDER BY id FOR UPDATE;
            UPDATE users SET suspended_at = now(), suspension_reason = 'spam',
                suspension_decided_at = now() - interval '1 second'
            WHERE id = @id;
            """,
            () => Client.SendJson(HttpMethod.Delete, url, null, admin),
            "the lift never waited for the suspension under way",
            ("id", member.Id)
        );

        await lifted.AssertStatus(204);
        Assert.False((await (await Client.Get(url, admin)).AssertStatus(200))["suspended"]!.GetValue<bool>());
        await (await LoginAsync(member.Username)).AssertStatus(200);
    }

    [Fact]
    public async Task An_admin_suspends_directly_with_the_same_effect()
    {
        var member = await MemberAsync();
        var admin = await AdminAsync();
        var until = WholeSecondsFromNow(TimeSpan.FromDays(7));
        var url = $"/api/v1/admin/users/{member.Id}/suspension";
        // sent with an offset other than UTC's: the same instant, stored and answered in UTC
        var local = until
            .ToOffset(TimeSpan.FromHours(2))
            .ToString("yyyy-MM-ddTHH:mm:sszzz", CultureInfo.InvariantCulture);
        var json = $$"""{"until": "{{local}}", "reason": "Spam after a warning."}""";
        var body = await (await Client.SendJson(HttpMethod.Put, url, json, admin)).AssertStatus(200);
        Assert.True(body["suspended"]!.GetValue<bool>());
        Assert.Equal(until, body["suspended_until"]!.GetValue<DateTimeOffset>());

        await Eventually.TrueAsync(() => EndedAsync(member.Access), "the suspended member's token still works");
        await (await Client.PostJson("/api/v1/auth/refresh", new { refresh_token = member.Refresh })).AssertProblem(
            401
        );
        var problem = await (await LoginAsync(member.Username)).AssertProblem(403);
        Assert.Equal(until, problem["suspended_until"]!.GetValue<DateTimeOffset>());
    }

    [Fact]
    public async Task Logins_racing_a_suspension_leave_no_working_session()
    {
        var member = await MemberAsync();
        var admin = await AdminAsync();
        var logins = Enumerable.Range(0, 8).Select(_ => LoginAsync(member.Username)).ToList();
        var suspension = Client.SendJson(
            HttpMethod.Put,
            $"/api/v1/admin/users/{member.Id}/suspension",
            new { reason = "spam" },
            admin
        );
        await Task.WhenAll([.. logins, suspension]);
        await (await suspension).AssertStatus(200);

        foreach (var login in logins.Select(l => l.Result))
        {
            if (login.StatusCode == HttpStatusCode.Forbidden)
                continue;
            var pair = await login.AssertStatus(200);
            await Eventually.TrueAsync(
                () => EndedAsync(pair["access_token"]!.GetValue<string>()),
                "a login racing the suspension kept a working token"
            );
            await (
                await Client.PostJson(
                    "/api/v1/auth/refresh",
                    new { refresh_token = pair["refresh_token"]!.GetValue<string>() }
                )
            ).AssertProblem(401);
        }
    }

    [Fact]
    public async Task A_suspension_refuses_the_second_step_of_a_two_factor_login()
    {
        var member = await MemberAsync();
        var secret = (
            await (
                await Client.PostJson("/api/v1/users/me/two-factor", new { password = Password }, member.Access)
            ).AssertStatus(200)
        )["secret"]!.GetValue<string>();
        var totp = new Totp(Base32Encoding.ToBytes(secret));
        fx.Clock.Advance(TimeSpan.FromSeconds(30));
        await (
            await Client.PostJson(
                "/api/v1/users/me/two-factor/confirm",
                new { code = totp.ComputeTotp(fx.Clock.GetUtcNow().UtcDateTime) },
                member.Access
            )
        ).AssertStatus(200);
        var challenge = (await (await LoginAsync(member.Username)).AssertStatus(200))["challenge"]!.GetValue<string>();

        await fx.DeliverAsync(Resolution(member.Id, null), "SuspendUserConsumer");
        fx.Clock.Advance(TimeSpan.FromSeconds(30));
        var problem = await (
            await Client.PostJson(
                "/api/v1/auth/login/two-factor",
                new { challenge, code = totp.ComputeTotp(fx.Clock.GetUtcNow().UtcDateTime) }
            )
        ).AssertProblem(403);
        Assert.Contains("suspended", problem["detail"]!.GetValue<string>());
        await (await LoginAsync(member.Username)).AssertProblem(403);
    }

    [Fact]
    public async Task Bad_suspensions_are_400s_that_change_nothing()
    {
        var member = await MemberAsync();
        var admin = await AdminAsync();
        var url = $"/api/v1/admin/users/{member.Id}/suspension";
        await (await Client.SendJson(HttpMethod.Put, url, new { }, admin)).AssertProblem(400);
        await (await Client.SendJson(HttpMethod.Put, url, new { reason = "  " }, admin)).AssertProblem(400);
        await (await Client.SendJson(HttpMethod.Put, url, new { reason = new string('x', 501) }, admin)).AssertProblem(
            400
        );
        await (
            await Client.SendJson(
                HttpMethod.Put,
                url,
                new { reason = "spam", until = fx.Clock.GetUtcNow().AddDays(-1) },
                admin
            )
        ).AssertProblem(400);
        await (
            await Client.SendJson(HttpMethod.Put, url, "{\"reason\": \"spam\", \"until\": \"soon\"}", admin)
        ).AssertProblem(400);
        await (
            await Client.SendJson(
                HttpMethod.Put,
                url,
                new { reason = "spam", until = fx.Clock.GetUtcNow().AddYears(10).AddDays(1) },
                admin
            )
        ).AssertProblem(400);
        await (await Client.SendJson(HttpMethod.Put, url, "{\"reason\": \"a\\u0000b\"}", admin)).AssertProblem(400);
        var adminId = TestTokens.Payload(admin)["sub"]!.GetValue<string>();
        await (
            await Client.SendJson(
                HttpMethod.Put,
                $"/api/v1/admin/users/{adminId}/suspension",
                new { reason = "me" },
                admin
            )
        ).AssertProblem(400);
        await (
            await Client.SendJson(HttpMethod.Delete, $"/api/v1/admin/users/{adminId}/suspension", null, admin)
        ).AssertProblem(403);

        await (await LoginAsync(member.Username)).AssertStatus(200);
        Assert.False((await (await Client.Get(url, admin)).AssertStatus(200))["suspended"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Members_and_organizers_cannot_use_the_admin_routes()
    {
        var member = await MemberAsync();
        var organizer = (await fx.RegisterAsync(role: "organizer"))["access_token"]!.GetValue<string>();
        var url = $"/api/v1/admin/users/{member.Id}/suspension";
        foreach (var token in new[] { member.Access, organizer })
        {
            await (await Client.Get(url, token)).AssertProblem(403);
            await (await Client.SendJson(HttpMethod.Put, url, new { reason = "spam" }, token)).AssertProblem(403);
            await (await Client.SendJson(HttpMethod.Delete, url, null, token)).AssertProblem(403);
        }
        await (await Client.Get(url)).AssertProblem(401);
        await (await LoginAsync(member.Username)).AssertStatus(200);
    }
}
