using System.Text.RegularExpressions;
using Npgsql;

namespace Community.Identity.Tests;

public sealed partial class PasswordResetTests(IdentityFixture fx) : IClassFixture<IdentityFixture>
{
    private HttpClient Client => fx.Client;

    [GeneratedRegex(@"Reset token: (\S+)")]
    private static partial Regex TokenLine();

    private async Task<string> RequestResetAsync(string username)
    {
        var before = fx.Smtp.Messages.Count;
        var response = await Client.PostJson("/api/v1/auth/password/forgot", new { identifier = username });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        await fx.MailSentAsync();
        var mail = await fx.Smtp.WaitForAsync($"{username}@example.com", "Reset token: ");
        Assert.True(fx.Smtp.Messages.Count > before);
        return TokenLine().Match(mail.Body).Groups[1].Value;
    }

    [Fact]
    public async Task Reset_sets_the_password_once_and_ends_every_session()
    {
        var registered = await fx.RegisterAsync("resetter");
        var oldRefresh = registered["refresh_token"]!.GetValue<string>();
        var token = await RequestResetAsync("resetter");

        var reset = await Client.PostJson(
            "/api/v1/auth/password/reset",
            new { token, new_password = "brand-new-pass-7" }
        );
        Assert.Equal(HttpStatusCode.NoContent, reset.StatusCode);
        // The owner is told, at the address the link went to.
        var notice = await fx.Smtp.WaitForAsync("resetter@example.com", "was changed with a reset link");
        Assert.Contains("every other session of the account has ended", notice.Body);

        await (await Client.PostJson("/api/v1/auth/refresh", new { refresh_token = oldRefresh })).AssertProblem(401);
        await (
            await Client.PostJson("/api/v1/auth/login", new { identifier = "resetter", password = "correct-horse-9" })
        ).AssertProblem(401);
        await (
            await Client.PostJson("/api/v1/auth/login", new { identifier = "resetter", password = "brand-new-pass-7" })
        ).AssertStatus(200);

        var again = await Client.PostJson(
            "/api/v1/auth/password/reset",
            new { token, new_password = "another-pass-8" }
        );
        Assert.NotNull((await again.AssertProblem(400))["errors"]!["token"]);
        await (
            await Client.PostJson("/api/v1/auth/login", new { identifier = "resetter", password = "brand-new-pass-7" })
        ).AssertStatus(200);
    }

    [Fact]
    public async Task Unknown_accounts_get_the_same_202_and_no_mail()
    {
        var before = fx.Smtp.Messages.Count;
        var response = await Client.PostJson("/api/v1/auth/password/forgot", new { identifier = "ghost@example.com" });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        await fx.MailSentAsync();
        Assert.Equal(before, fx.Smtp.Messages.Count);
        Assert.Equal(0L, await fx.ScalarAsync<long>("SELECT count(*) FROM password_reset_tokens"));
    }

    [Fact]
    public async Task The_answer_does_not_wait_for_the_mail_server_which_would_tell_the_account_exists()
    {
        await fx.RegisterAsync("patient_resetter");
        var before = fx.Smtp.Messages.Count;
        using (fx.Smtp.Hold())
        {
            // The mail server takes the connection and says nothing: the answer comes all the same.
            var response = await Client
                .PostJson("/api/v1/auth/password/forgot", new { identifier = "patient_resetter" })
                .WaitAsync(TimeSpan.FromSeconds(20));
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            Assert.Equal(before, fx.Smtp.Messages.Count);
        }
        // Once it answers, the mail goes.
        await fx.MailSentAsync();
        Assert.Contains(
            fx.Smtp.Messages.Skip(before),
            m => m.To.Any(t => t.Contains("patient_resetter@example.com")) && TokenLine().IsMatch(m.Body)
        );
    }

    [Fact]
    public async Task A_request_naming_an_account_that_is_mailed_writes_nothing_before_it_is_answered()
    {
        // What only a mailed account's request would do (count its mails, store its token) is left to the mail's
        // queue: otherwise the time taken, or a 503 when those writes fail, would tell which accounts exist.
        await fx.RegisterAsync("locked_out_resetter");
        var before = fx.Smtp.Messages.Count;
        await using var other = new NpgsqlConnection(fx.Resources.DatabaseConnectionString);
        await other.OpenAsync();
        await using (var holding = await other.BeginTransactionAsync())
        {
            await using (
                var hold = new NpgsqlCommand(
                    "LOCK TABLE password_reset_tokens, login_failures IN EXCLUSIVE MODE",
                    other,
                    holding
                )
            )
                await hold.ExecuteNonQueryAsync();
            var response = await Client
                .PostJson("/api/v1/auth/password/forgot", new { identifier = "locked_out_resetter" })
                .WaitAsync(TimeSpan.FromSeconds(15));
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            Assert.Equal(before, fx.Smtp.Messages.Count);
            await holding.RollbackAsync();
        }

        await fx.MailSentAsync();
        Assert.Contains(
            fx.Smtp.Messages.Skip(before),
            m => m.To.Any(t => t.Contains("locked_out_resetter@example.com")) && TokenLine().IsMatch(m.Body)
        );
    }

    /// <summary>
    /// Asks for a reset of <paramref name="identifier"/> while a transaction holds its account's row for update, then
    /// runs <paramref name="sql"/> (with <c>@id</c> the account) in that transaction and commits it: the mail queue
    /// reads the account only after.
    /// </summary>
    private async Task ForgotWhileTheRowIsHeldAsync(
        Guid id,
        string identifier,
        string sql,
        params (string Name, object Value)[] parameters
    )
    {
        await using var connection = new NpgsqlConnection(fx.Resources.DatabaseConnectionString);
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var take = new NpgsqlCommand("SELECT 1 FROM users WHERE id = @id FOR UPDATE", connection))
        {
            take.Parameters.AddWithValue("id", id);
            await take.ExecuteNonQueryAsync();
        }
        await (await Client.PostJson("/api/v1/auth/password/forgot", new { identifier })).AssertStatus(202);
        await using (var change = new NpgsqlCommand(sql, connection))
        {
            change.Parameters.AddWithValue("id", id);
            foreach (var (name, value) in parameters)
                change.Parameters.AddWithValue(name, value);
            await change.ExecuteNonQueryAsync();
        }
        await transaction.CommitAsync();
    }

    [Fact]
    public async Task A_reset_mail_queued_while_its_account_is_erased_counts_nothing_and_sends_nothing()
    {
        var registered = await fx.RegisterAsync("erased_while_queued");
        var id = registered["user"]!["id"]!.GetValue<string>();
        await fx.MailSentAsync();
        var before = fx.Smtp.Messages.Count;
        // The account's erasure under way: its row taken for update, as a deletion takes it.
        await ForgotWhileTheRowIsHeldAsync(Guid.Parse(id), "erased_while_queued", "DELETE FROM users WHERE id = @id");
        await fx.MailSentAsync();
        Assert.Equal(before, fx.Smtp.Messages.Count);
        // No counter left naming the erased account (a deletion erases those it finds, in its own transaction).
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>("SELECT count(*) FROM login_failures WHERE strpos(key, @id) > 0", ("id", id))
        );
    }

    // A link asked for before a password change but written by the mail queue after it would outlive the change that
    // ends the links sent before it.
    [Fact]
    public async Task A_reset_mail_queued_while_the_password_changes_sends_no_link()
    {
        var registered = await fx.RegisterAsync("changed_while_queued");
        var id = Guid.Parse(registered["user"]!["id"]!.GetValue<string>());
        await fx.MailSentAsync();
        var before = fx.Smtp.Messages.Count;
        // A password change under way: the account's row taken for update and its hash replaced, as a change does.
        await ForgotWhileTheRowIsHeldAsync(
            id,
            "changed_while_queued",
            "UPDATE users SET password_hash = @hash WHERE id = @id",
            ("hash", PasswordHasher.Hash("changed-pass-8"))
        );
        await fx.MailSentAsync();
        Assert.Equal(before, fx.Smtp.Messages.Count);
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>("SELECT count(*) FROM password_reset_tokens WHERE user_id = @id", ("id", id))
        );
        await (
            await Client.PostJson(
                "/api/v1/auth/login",
                new { identifier = "changed_while_queued", password = "changed-pass-8" }
            )
        ).AssertStatus(200);
    }

    [Fact]
    public async Task Reset_tokens_expire_after_an_hour()
    {
        await fx.RegisterAsync("slow_resetter");
        var token = await RequestResetAsync("slow_resetter");
        using var clock = new ClockOffset(fx.Clock);
        clock.Advance(TimeSpan.FromMinutes(61));
        await (
            await Client.PostJson("/api/v1/auth/password/reset", new { token, new_password = "brand-new-pass-7" })
        ).AssertProblem(400);
    }

    [Fact]
    public async Task Weak_new_passwords_and_bad_tokens_change_nothing()
    {
        await fx.RegisterAsync("careful");
        var token = await RequestResetAsync("careful");
        var weak = await Client.PostJson("/api/v1/auth/password/reset", new { token, new_password = "short" });
        Assert.NotNull((await weak.AssertProblem(400))["errors"]!["new_password"]);
        await (
            await Client.PostJson(
                "/api/v1/auth/password/reset",
                new { token = "forged", new_password = "brand-new-pass-7" }
            )
        ).AssertProblem(400);

        // The token survived the refused attempts and still works.
        Assert.Equal(
            HttpStatusCode.NoContent,
            (
                await Client.PostJson("/api/v1/auth/password/reset", new { token, new_password = "brand-new-pass-7" })
            ).StatusCode
        );
    }

    [Fact]
    public async Task A_reset_asked_for_by_username_is_mailed_only_once_the_accounts_email_is_confirmed()
    {
        const string username = "unconfirmed_resetter";
        const string email = username + "@example.com";
        // An address never confirmed may be a stranger's: a typo, or someone else's given on purpose.
        await (
            await Client.PostJson(
                "/api/v1/auth/register",
                new
                {
                    username,
                    email,
                    password = "correct-horse-9",
                }
            )
        ).AssertStatus(201);
        Task<HttpResponseMessage> Forgot() =>
            Client.PostJson("/api/v1/auth/password/forgot", new { identifier = username });
        int ResetMails() =>
            fx.Smtp.Messages.Count(m =>
                m.To.Any(t => t.Contains(email, StringComparison.OrdinalIgnoreCase)) && m.Body.Contains("Reset token: ")
            );

        // The same 202 as ever, and nothing goes to the unconfirmed address.
        await (await Forgot()).AssertStatus(202);
        await fx.MailSentAsync();
        Assert.Equal(0, ResetMails());

        await (await fx.ConfirmAsync(email)).AssertStatus(200);
        await (await Forgot()).AssertStatus(202);
        await fx.MailSentAsync();
        Assert.Equal(1, ResetMails());
    }

    [Fact]
    public async Task A_reset_also_voids_the_links_sent_before_it()
    {
        await fx.RegisterAsync("two_links");
        var first = await RequestResetAsync("two_links");
        fx.Smtp.Messages.Clear();
        var second = await RequestResetAsync("two_links");
        Assert.NotEqual(first, second);

        Assert.Equal(
            HttpStatusCode.NoContent,
            (
                await Client.PostJson(
                    "/api/v1/auth/password/reset",
                    new { token = second, new_password = "brand-new-pass-7" }
                )
            ).StatusCode
        );
        await (
            await Client.PostJson(
                "/api/v1/auth/password/reset",
                new { token = first, new_password = "attacker-pass-8" }
            )
        ).AssertProblem(400);
        await (
            await Client.PostJson("/api/v1/auth/login", new { identifier = "two_links", password = "brand-new-pass-7" })
        ).AssertStatus(200);
    }
}
