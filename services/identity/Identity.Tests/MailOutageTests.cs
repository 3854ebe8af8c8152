using System.Net.Sockets;

namespace Community.Identity.Tests;

/// <summary>Identity whose SMTP server refuses connections: a port that was free a moment ago.</summary>
public sealed class MailServerDownFixture : IdentityFixture
{
    protected override void ConfigureService(IDictionary<string, string?> settings)
    {
        base.ConfigureService(settings);
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        settings["Smtp:Port"] = port.ToString();
    }
}

public sealed class MailOutageTests(MailServerDownFixture fx) : IClassFixture<MailServerDownFixture>
{
    private HttpClient Client => fx.Client;

    [Fact]
    public async Task Registration_succeeds_without_its_mail_and_the_link_can_be_asked_for_again()
    {
        var registered = await (
            await Client.PostJson(
                "/api/v1/auth/register",
                new
                {
                    username = "no_mail_yet",
                    email = "no_mail_yet@example.com",
                    password = "correct-horse-9",
                }
            )
        ).AssertStatus(201);
        Assert.False(registered["user"]!["email_verified"]!.GetValue<bool>());
        Assert.Equal(1L, await fx.ScalarAsync<long>("SELECT count(*) FROM users WHERE username = 'no_mail_yet'"));
        // Signed in, and the resend says plainly that the mail server is down: a 503 problem with Retry-After, no 500.
        var token = registered["access_token"]!.GetValue<string>();
        var resend = await Client.PostJson("/api/v1/users/me/email/verification", new { }, token: token);
        var problem = await resend.AssertProblem(503);
        Assert.True(resend.Headers.RetryAfter is not null);
        Assert.Contains("try again", problem["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_waitlist_join_whose_mail_cannot_go_is_a_503_problem_and_leaves_no_place_behind()
    {
        var response = await Client.PostJson("/api/v1/waitlist", new { email = "queue@example.com" });
        await response.AssertProblem(503);
        Assert.True(response.Headers.RetryAfter is not null);
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>("SELECT count(*) FROM waitlist_entries WHERE email = 'queue@example.com'")
        );
        // Answers that send nothing answer as always.
        Assert.Equal(
            HttpStatusCode.Accepted,
            (await Client.PostJson("/api/v1/auth/password/forgot", new { identifier = "ghost@example.com" })).StatusCode
        );
    }

    [Fact]
    public async Task A_reset_for_an_existing_account_answers_as_for_nobody_when_its_mail_cannot_go()
    {
        await (
            await Client.PostJson(
                "/api/v1/auth/register",
                new
                {
                    username = "reset_no_mail",
                    email = "reset_no_mail@example.com",
                    password = "correct-horse-9",
                }
            )
        ).AssertStatus(201);
        // Proven (its link could not go either): the address names the account too.
        await fx.ExecuteAsync("UPDATE users SET email_verified_at = now() WHERE username = 'reset_no_mail'");
        // A 503 would tell that the account exists: a stranger's request never reaches the mail server.
        foreach (var identifier in new[] { "reset_no_mail", "reset_no_mail@example.com", "nobody_here@example.com" })
            await (await Client.PostJson("/api/v1/auth/password/forgot", new { identifier })).AssertStatus(202);
    }

    [Fact]
    public async Task A_waitlist_status_by_email_answers_as_for_an_unlisted_address_when_its_mail_cannot_go()
    {
        // Listed before the outage (a join now would be refused and leave no place).
        await fx.ExecuteAsync(
            "INSERT INTO waitlist_entries (email, created_at) VALUES ('listed_no_mail@example.com', now())"
        );
        // A 503 would tell that the address is listed: an unlisted one's request never reaches the mail server.
        Task<HttpResponseMessage> StatusOf(string email) => Client.Get($"/api/v1/waitlist/status?email={email}");
        var listed = await (await StatusOf("listed_no_mail@example.com")).AssertStatus(202);
        var unlisted = await (await StatusOf("unlisted_no_mail@example.com")).AssertStatus(202);
        Assert.Equal(unlisted.ToJsonString(), listed.ToJsonString());
    }
}
