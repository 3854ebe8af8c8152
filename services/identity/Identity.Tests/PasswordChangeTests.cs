namespace Community.Identity.Tests;

/// <summary>
/// A new password chosen while signed in: proven as a deletion is, it ends every session but the caller's, which goes
/// on with the pair the answer carries.
/// </summary>
public sealed class PasswordChangeTests(IdentityFixture fx) : IClassFixture<IdentityFixture>
{
    private const string Url = "/api/v1/users/me/password";
    private const string Password = "correct-horse-9";
    private const string NewPassword = "brand-new-pass-7";
    private HttpClient Client => fx.Client;

    private static string Access(JsonNode pair) => pair["access_token"]!.GetValue<string>();

    private Task<HttpResponseMessage> LoginAsync(string identifier, string password) =>
        Client.PostJson("/api/v1/auth/login", new { identifier, password });

    private Task<HttpResponseMessage> RefreshAsync(JsonNode pair) =>
        Client.PostJson("/api/v1/auth/refresh", new { refresh_token = pair["refresh_token"]!.GetValue<string>() });

    private Task EndedAsync(string token, string failure) =>
        Eventually.TrueAsync(
            async () => (await Client.Get("/api/v1/auth/me", token)).StatusCode == HttpStatusCode.Unauthorized,
            failure,
            TimeSpan.FromSeconds(15)
        );

    private Task<long> SessionsEndedByAChangeAsync(string id) =>
        fx.ScalarAsync<long>(
            "SELECT count(*) FROM outbox_messages WHERE type LIKE '%UserSessionsEnded,%' "
                + "AND payload->>'userId' = @id AND payload->>'reason' = 'password_changed'",
            ("id", id)
        );

    [Fact]
    public async Task A_new_password_ends_every_other_session_and_the_caller_goes_on_with_a_new_pair()
    {
        var registered = await fx.RegisterAsync();
        var id = registered["user"]!["id"]!.GetValue<string>();
        var username = registered["user"]!["username"]!.GetValue<string>();
        // The account signed in on another device too (a leaked session, say), and a reset link mailed before.
        var other = await (await LoginAsync(username, Password)).AssertStatus(200);
        await (await Client.PostJson("/api/v1/auth/password/forgot", new { identifier = username })).AssertStatus(202);
        await fx.MailSentAsync(); // the link is written by the mail queue, after the answer
        Assert.Equal(1L, await UnusedResetLinksAsync(id));

        var changed = await (
            await Client.PostJson(
                Url,
                new { current_password = Password, new_password = NewPassword },
                Access(registered)
            )
        ).AssertStatus(200);
        // What a login answers.
        Assert.Equal(id, changed["user"]!["id"]!.GetValue<string>());
        Assert.Equal("bearer", changed["token_type"]!.GetValue<string>());
        Assert.NotNull(changed["refresh_token"]);

        await (await LoginAsync(username, Password)).AssertProblem(401);
        await (await LoginAsync(username, NewPassword)).AssertStatus(200);
        // Every session from before the change ends: the other device's, and the caller's own old pair.
        await (await RefreshAsync(other)).AssertProblem(401);
        await (await RefreshAsync(registered)).AssertProblem(401);
        await EndedAsync(Access(other), "the other device's access token still works after the change");
        await EndedAsync(Access(registered), "the access token from before the change still works");
        // As after a reset: the links mailed before die, and the other services hear the sessions ended.
        Assert.Equal(0L, await UnusedResetLinksAsync(id));
        Assert.Equal(1L, await SessionsEndedByAChangeAsync(id));
        // The owner hears of it at the confirmed address: if it was not them, they know to take the account back.
        var notice = await fx.Smtp.WaitForAsync($"{username}@example.com", "was changed by someone signed in");
        Assert.Contains($"The password of {username} was changed", notice.Body);

        // Issued right after the end, most likely in its second: not taken for a token from before it.
        await (await Client.Get("/api/v1/auth/me", Access(changed))).AssertStatus(200);
        await (await RefreshAsync(changed)).AssertStatus(200);
    }

    private Task<long> UnusedResetLinksAsync(string id) =>
        fx.ScalarAsync<long>(
            "SELECT count(*) FROM password_reset_tokens WHERE user_id = @id AND used_at IS NULL",
            ("id", Guid.Parse(id))
        );

    [Fact]
    public async Task A_wrong_current_password_is_a_400_that_changes_nothing()
    {
        var registered = await fx.RegisterAsync();
        var id = registered["user"]!["id"]!.GetValue<string>();
        var username = registered["user"]!["username"]!.GetValue<string>();

        var wrong = await (
            await Client.PostJson(
                Url,
                new { current_password = "not-the-password-1", new_password = NewPassword },
                Access(registered)
            )
        ).AssertProblem(400);
        Assert.Contains("password is wrong", wrong["errors"]!["current_password"]![0]!.GetValue<string>());
        // Counted as a wrong password to delete the account is: a stolen token cannot guess on and on.
        Assert.Equal(1, await fx.TwoFactorFailuresAsync(id));
        var missing = await (
            await Client.PostJson(Url, new { new_password = NewPassword }, Access(registered))
        ).AssertProblem(400);
        Assert.NotNull(missing["errors"]!["current_password"]);
        await (
            await Client.PostJson(Url, new { current_password = Password, new_password = NewPassword })
        ).AssertProblem(401);

        await (await LoginAsync(username, NewPassword)).AssertProblem(401);
        await (await LoginAsync(username, Password)).AssertStatus(200);
        await (await Client.Get("/api/v1/auth/me", Access(registered))).AssertStatus(200);
        await (await RefreshAsync(registered)).AssertStatus(200);
        Assert.Equal(0L, await SessionsEndedByAChangeAsync(id));
        await fx.MailSentAsync();
        Assert.DoesNotContain(fx.Smtp.Messages, m => m.Body.Contains($"The password of {username} was changed"));
    }

    [Fact]
    public async Task With_two_factor_on_a_code_is_needed_too()
    {
        var registered = await fx.RegisterAsync();
        var id = registered["user"]!["id"]!.GetValue<string>();
        var username = registered["user"]!["username"]!.GetValue<string>();
        var enrolment = await fx.TurnOnTwoFactorAsync(Access(registered));
        Task<HttpResponseMessage> ChangeAsync(string? code) =>
            Client.PostJson(
                Url,
                new
                {
                    current_password = Password,
                    new_password = NewPassword,
                    code,
                },
                Access(registered)
            );

        // Answered as turning two-factor sign-in off answers: the code is required, and a wrong one is counted.
        var missing = await (await ChangeAsync(null)).AssertProblem(400);
        Assert.Contains("code is required", missing["errors"]!["code"]![0]!.GetValue<string>());
        var wrong = await (await ChangeAsync("000000")).AssertProblem(400);
        Assert.Contains("code is wrong", wrong["errors"]!["code"]![0]!.GetValue<string>());
        Assert.Equal(1, await fx.TwoFactorFailuresAsync(id));
        await (await LoginAsync(username, NewPassword)).AssertProblem(401);
        Assert.Equal(0L, await SessionsEndedByAChangeAsync(id));

        var changed = await (await ChangeAsync(fx.NextTwoFactorCode(enrolment.Secret))).AssertStatus(200);
        await (await Client.Get("/api/v1/auth/me", Access(changed))).AssertStatus(200);
        await (await LoginAsync(username, Password)).AssertProblem(401);
        // Two-factor sign-in stays on: the new password leads to the second step.
        var login = await (await LoginAsync(username, NewPassword)).AssertStatus(200);
        Assert.True(login["two_factor_required"]!.GetValue<bool>());
    }

    [Fact]
    public async Task A_weak_or_too_long_new_password_is_registrations_400_and_changes_nothing()
    {
        var registered = await fx.RegisterAsync();
        var id = registered["user"]!["id"]!.GetValue<string>();
        var username = registered["user"]!["username"]!.GetValue<string>();
        var registration = await (
            await Client.PostJson(
                "/api/v1/auth/register",
                new
                {
                    username = "weak_" + username[2..],
                    email = $"weak_{username}@example.com",
                    password = "short-1",
                }
            )
        ).AssertProblem(400);
        var rule = registration["errors"]!["password"]![0]!.GetValue<string>();

        // Too short, letters only, 129 characters, the username inside: each the rule registration states.
        foreach (var weak in new[] { "short-1", "onlyletters", "a1" + new string('b', 127), username + "-42" })
        {
            var problem = await (
                await Client.PostJson(Url, new { current_password = Password, new_password = weak }, Access(registered))
            ).AssertProblem(400);
            Assert.Equal([rule], problem["errors"]!["new_password"]!.AsArray().Select(e => e!.GetValue<string>()));
        }

        // Refused before the current password was looked at: nothing counted, nothing ended.
        Assert.Equal(0, await fx.TwoFactorFailuresAsync(id));
        await (await LoginAsync(username, Password)).AssertStatus(200);
        await (await RefreshAsync(registered)).AssertStatus(200);
        Assert.Equal(0L, await SessionsEndedByAChangeAsync(id));
    }

    [Fact]
    public async Task The_current_password_again_is_allowed_and_still_ends_the_other_sessions()
    {
        var registered = await fx.RegisterAsync();
        var username = registered["user"]!["username"]!.GetValue<string>();
        var other = await (await LoginAsync(username, Password)).AssertStatus(200);

        var changed = await (
            await Client.PostJson(Url, new { current_password = Password, new_password = Password }, Access(registered))
        ).AssertStatus(200);

        await (await RefreshAsync(other)).AssertProblem(401);
        await (await RefreshAsync(changed)).AssertStatus(200);
        await (await LoginAsync(username, Password)).AssertStatus(200);
    }
}
