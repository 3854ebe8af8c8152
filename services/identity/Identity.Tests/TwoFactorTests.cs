using System.Net.Http.Json;
using Community.ServiceDefaults.Data;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using OtpNet;

namespace Community.Identity.Tests;

/// <summary>
/// Two-factor sign-in: codes are computed here with Otp.NET from the secret identity hands out, as an authenticator
/// app would.
/// </summary>
public sealed class TwoFactorTests(IdentityFixture fx) : IClassFixture<IdentityFixture>
{
    private const string Password = "correct-horse-9";
    private HttpClient Client => fx.Client;

    private sealed record Enrolled(string Id, string Username, string Secret, List<string> RecoveryCodes, string Token);

    private string NextCode(string secret) => fx.NextTwoFactorCode(secret);

    private static string CodeAt(string secret, DateTimeOffset at) =>
        new Totp(Base32Encoding.ToBytes(secret)).ComputeTotp(at.UtcDateTime);

    [Theory]
    [InlineData("/api/v1/users/me/two-factor")]
    [InlineData("/api/v1/users/me/two-factor/recovery-codes")]
    public async Task A_password_reset_committed_while_a_proof_waits_for_the_account_makes_the_old_password_wrong(
        string url
    )
    {
        // new recovery codes need two-factor sign-in on (and a code); setting up an app needs it off
        object body;
        string token;
        Guid id;
        if (url.EndsWith("recovery-codes", StringComparison.Ordinal))
        {
            var enrolled = await EnrolledAsync();
            (token, id) = (enrolled.Token, Guid.Parse(enrolled.Id));
            body = new { password = Password, code = NextCode(enrolled.Secret) };
        }
        else
        {
            var registered = await fx.RegisterAsync();
            token = registered["access_token"]!.GetValue<string>();
            id = Guid.Parse(registered["user"]!["id"]!.GetValue<string>());
            body = new { password = Password };
        }

        // The reset holds the account's row while the proof, which read the account before, waits for it.
        var answer = await fx.CommitsWhileWaitedOnAsync(
            "UPDATE users SET password_hash = @hash WHERE id = @id",
            () => Client.PostJson(url, body, token),
            "the proof never waited for the account's row",
            ("hash", PasswordHasher.Hash("a-brand-new-pass-7")),
            ("id", id)
        );

        var problem = await answer.AssertProblem(400);
        Assert.Contains("The password is wrong.", problem["errors"]!["password"]!.ToJsonString());
    }

    private async Task<Enrolled> EnrolledAsync()
    {
        var registered = await fx.RegisterAsync();
        var token = registered["access_token"]!.GetValue<string>();
        var enrolment = await fx.TurnOnTwoFactorAsync(token);
        return new Enrolled(
            registered["user"]!["id"]!.GetValue<string>(),
            registered["user"]!["username"]!.GetValue<string>(),
            enrolment.Secret,
            enrolment.RecoveryCodes,
            token
        );
    }

    private async Task<string> ChallengeAsync(string username, string? from = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/auth/login")
        {
            Content = JsonContent.Create(new { identifier = username, password = Password }),
        };
        if (from is not null)
            request.Headers.Add("X-Forwarded-For", from);
        var body = await (await Client.SendAsync(request)).AssertStatus(200);
        Assert.True(body["two_factor_required"]!.GetValue<bool>());
        Assert.Null(body["access_token"]);
        Assert.Null(body["refresh_token"]);
        return body["challenge"]!.GetValue<string>();
    }

    private Task<HttpResponseMessage> AnswerAsync(string challenge, string code, string? from = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/auth/login/two-factor")
        {
            Content = JsonContent.Create(new { challenge, code }),
        };
        if (from is not null)
            request.Headers.Add("X-Forwarded-For", from);
        return Client.SendAsync(request);
    }

    [Fact]
    public async Task Setup_confirm_and_login_with_a_code_from_the_app()
    {
        var registered = await fx.RegisterAsync();
        var token = registered["access_token"]!.GetValue<string>();
        var username = registered["user"]!["username"]!.GetValue<string>();
        var setup = await (
            await Client.PostJson("/api/v1/users/me/two-factor", new { password = Password }, token)
        ).AssertStatus(200);
        var secret = setup["secret"]!.GetValue<string>();
        Assert.Equal(20, Base32Encoding.ToBytes(secret).Length);
        Assert.Equal(
            $"otpauth://totp/Community:{username}?secret={secret}&issuer=Community&algorithm=SHA1&digits=6&period=30",
            setup["otpauth_uri"]!.GetValue<string>()
        );
        // Pending until confirmed: the password alone still signs in.
        await fx.LoginAsync(username, Password);
        // The secret is stored encrypted with the Data Protection key ring, never as the bytes an app holds.
        var stored = await fx.ScalarAsync<byte[]>(
            "SELECT secret FROM two_factor_secrets WHERE user_id = @id",
            ("id", Guid.Parse(registered["user"]!["id"]!.GetValue<string>()))
        );
        Assert.NotEqual(Base32Encoding.ToBytes(secret), stored);
        var protector = fx
            .Host.Services.GetRequiredService<IDataProtectionProvider>()
            .ForStoredSecret("two_factor_secrets");
        Assert.Equal(Base32Encoding.ToBytes(secret), protector.Unprotect(stored!));

        var confirmed = await (
            await Client.PostJson("/api/v1/users/me/two-factor/confirm", new { code = NextCode(secret) }, token)
        ).AssertStatus(200);
        var recovery = confirmed["recovery_codes"]!.AsArray().Select(c => c!.GetValue<string>()).ToList();
        Assert.Equal(10, recovery.Distinct().Count());
        // Only their hashes are kept.
        Assert.Equal(
            1L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM two_factor_recovery_codes WHERE code_hash = sha256(convert_to(@c, 'UTF8'))",
                ("c", recovery[0].Replace("-", ""))
            )
        );

        var challenge = await ChallengeAsync(username);
        var signedIn = await (await AnswerAsync(challenge, NextCode(secret))).AssertStatus(200);
        Assert.Equal("bearer", signedIn["token_type"]!.GetValue<string>());
        Assert.Equal(username, signedIn["user"]!["username"]!.GetValue<string>());
        await (await Client.Get("/api/v1/auth/me", signedIn["access_token"]!.GetValue<string>())).AssertStatus(200);
        await (
            await Client.PostJson(
                "/api/v1/auth/refresh",
                new { refresh_token = signedIn["refresh_token"]!.GetValue<string>() }
            )
        ).AssertStatus(200);
    }

    [Fact]
    public async Task The_status_says_on_or_off_and_the_recovery_codes_left()
    {
        const string url = "/api/v1/users/me/two-factor";
        var registered = await fx.RegisterAsync();
        var token = registered["access_token"]!.GetValue<string>();
        await AssertStatusAsync(token, enabled: false, left: 0);
        var setup = await (await Client.PostJson(url, new { password = Password }, token)).AssertStatus(200);
        var secret = setup["secret"]!.GetValue<string>();
        // A setup not yet confirmed is off: sign-in asks for no code.
        await AssertStatusAsync(token, enabled: false, left: 0);

        var code = NextCode(secret);
        var before = fx.Clock.GetUtcNow();
        var confirmed = await (await Client.PostJson(url + "/confirm", new { code }, token)).AssertStatus(200);
        var after = fx.Clock.GetUtcNow();
        var status = await AssertStatusAsync(token, enabled: true, left: 10);
        // the clock runs on between steps; PostgreSQL keeps microseconds
        Assert.InRange(
            status["enabled_at"]!.GetValue<DateTimeOffset>(),
            before.AddMilliseconds(-1),
            after.AddMilliseconds(1)
        );
        var recovery = confirmed["recovery_codes"]!.AsArray().Select(c => c!.GetValue<string>()).ToList();
        var username = registered["user"]!["username"]!.GetValue<string>();
        await (await AnswerAsync(await ChallengeAsync(username), recovery[0])).AssertStatus(200);
        await AssertStatusAsync(token, enabled: true, left: 9);

        // Someone else's status is not theirs to see: the route has no id, and an anonymous call is refused.
        await AssertStatusAsync(
            (await fx.RegisterAsync())["access_token"]!.GetValue<string>(),
            enabled: false,
            left: 0
        );
        await (await Client.Get(url)).AssertProblem(401);

        await (
            await Client.SendJson(HttpMethod.Delete, url, new { password = Password, code = NextCode(secret) }, token)
        ).AssertStatus(204);
        await AssertStatusAsync(token, enabled: false, left: 0);
    }

    [Fact]
    public async Task New_recovery_codes_replace_the_old_ones_for_someone_who_has_a_code_and_the_password()
    {
        const string url = "/api/v1/users/me/two-factor/recovery-codes";
        var enrolled = await EnrolledAsync();
        // The password and a code are needed, as to turn it off; a wrong code changes nothing.
        await (await Client.PostJson(url, new { code = NextCode(enrolled.Secret) }, enrolled.Token)).AssertProblem(400);
        await (await Client.PostJson(url, new { password = Password, code = "000000" }, enrolled.Token)).AssertProblem(
            400
        );
        await AssertStatusAsync(enrolled.Token, enabled: true, left: 10);

        // A confirmation's answer that never arrived: the member asks for new ones with the app's code.
        var fresh = await (
            await Client.PostJson(url, new { password = Password, code = NextCode(enrolled.Secret) }, enrolled.Token)
        ).AssertStatus(200);
        var codes = fresh["recovery_codes"]!.AsArray().Select(c => c!.GetValue<string>()).ToList();
        Assert.Equal(10, codes.Count);
        Assert.Empty(codes.Intersect(enrolled.RecoveryCodes));
        await AssertStatusAsync(enrolled.Token, enabled: true, left: 10);
        await (await AnswerAsync(await ChallengeAsync(enrolled.Username), enrolled.RecoveryCodes[0])).AssertProblem(
            401
        );
        await (await AnswerAsync(await ChallengeAsync(enrolled.Username), codes[0])).AssertStatus(200);

        // With two-factor sign-in off there are none to replace.
        var off = (await fx.RegisterAsync())["access_token"]!.GetValue<string>();
        await (await Client.PostJson(url, new { password = Password, code = "123456" }, off)).AssertProblem(409);
        await (await Client.PostJson(url, new { password = Password, code = "123456" })).AssertProblem(401);
    }

    private async Task<System.Text.Json.Nodes.JsonObject> AssertStatusAsync(string token, bool enabled, int left)
    {
        var status = await (await Client.Get("/api/v1/users/me/two-factor", token)).AssertStatus(200);
        Assert.Equal(enabled, status["enabled"]!.GetValue<bool>());
        Assert.Equal(left, status["recovery_codes_left"]!.GetValue<int>());
        if (!enabled)
            Assert.Null(status["enabled_at"]);
        return status.AsObject();
    }

    [Fact]
    public async Task Login_without_two_factor_is_unchanged()
    {
        var registered = await fx.RegisterAsync();
        var body = await (
            await Client.PostJson(
                "/api/v1/auth/login",
                new { identifier = registered["user"]!["username"]!.GetValue<string>(), password = Password }
            )
        ).AssertStatus(200);
        Assert.NotNull(body["access_token"]);
        Assert.NotNull(body["refresh_token"]);
        Assert.Null(body["two_factor_required"]);
        Assert.Null(body["challenge"]);
    }

    [Fact]
    public async Task A_replayed_code_is_refused()
    {
        var user = await EnrolledAsync();
        var code = NextCode(user.Secret);
        await (await AnswerAsync(await ChallengeAsync(user.Username), code)).AssertStatus(200);

        var replay = await (await AnswerAsync(await ChallengeAsync(user.Username), code)).AssertProblem(401);
        Assert.Contains("code", replay["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_stale_code_is_refused_and_a_neighbouring_step_is_accepted()
    {
        var user = await EnrolledAsync();
        fx.Clock.Advance(TimeSpan.FromMinutes(2));
        // Half a second into a 30-second step: the clock runs on, and a step begun between the codes' reckoning and
        // their answers would make the neighbouring step two behind (the test failed so under load).
        var intoStep = fx.Clock.GetUtcNow().ToUnixTimeMilliseconds() % 30_000;
        fx.Clock.Advance(TimeSpan.FromMilliseconds(30_000 - intoStep + 500));
        var now = fx.Clock.GetUtcNow();
        var challenge = await ChallengeAsync(user.Username);
        await (await AnswerAsync(challenge, CodeAt(user.Secret, now.AddSeconds(-90)))).AssertProblem(401);
        await (await AnswerAsync(challenge, CodeAt(user.Secret, now.AddSeconds(90)))).AssertProblem(401);
        // One step behind is tolerated (clock drift of the phone).
        await (await AnswerAsync(challenge, CodeAt(user.Secret, now.AddSeconds(-30)))).AssertStatus(200);
    }

    [Fact]
    public async Task A_recovery_code_works_once()
    {
        var user = await EnrolledAsync();
        var code = user.RecoveryCodes[3];
        await (await AnswerAsync(await ChallengeAsync(user.Username), code.ToUpperInvariant())).AssertStatus(200);
        await (await AnswerAsync(await ChallengeAsync(user.Username), code)).AssertProblem(401);
        // The others still work.
        await (await AnswerAsync(await ChallengeAsync(user.Username), user.RecoveryCodes[4])).AssertStatus(200);
    }

    [Fact]
    public async Task A_challenge_is_single_use_and_expires()
    {
        var user = await EnrolledAsync();
        var challenge = await ChallengeAsync(user.Username);
        await (await AnswerAsync(challenge, NextCode(user.Secret))).AssertStatus(200);
        await (await AnswerAsync(challenge, NextCode(user.Secret))).AssertProblem(401);

        var late = await ChallengeAsync(user.Username);
        fx.Clock.Advance(TimeSpan.FromMinutes(5));
        var expired = await (await AnswerAsync(late, CodeAt(user.Secret, fx.Clock.GetUtcNow()))).AssertProblem(401);
        Assert.Contains("challenge", expired["detail"]!.GetValue<string>());
        await (await AnswerAsync("not-a-challenge", NextCode(user.Secret))).AssertProblem(401);
    }

    [Fact]
    public async Task A_challenge_takes_five_codes_and_the_account_ten_wrong_ones()
    {
        var user = await EnrolledAsync();
        var challenge = await ChallengeAsync(user.Username);
        for (var i = 0; i < 5; i++)
        {
            var wrong = await (await AnswerAsync(challenge, "000000")).AssertProblem(401);
            Assert.Contains("code", wrong["detail"]!.GetValue<string>());
        }
        var spent = await (await AnswerAsync(challenge, NextCode(user.Secret))).AssertProblem(401);
        Assert.Contains("challenge", spent["detail"]!.GetValue<string>());

        var second = await ChallengeAsync(user.Username);
        for (var i = 0; i < 5; i++)
            await (await AnswerAsync(second, "000000")).AssertProblem(401);
        // Ten wrong codes on the account: even a right one on a fresh challenge waits.
        var limited = await AnswerAsync(await ChallengeAsync(user.Username), NextCode(user.Secret));
        await limited.AssertProblem(429);
        Assert.NotNull(limited.Headers.RetryAfter);
    }

    /// <summary>
    /// Someone holding the password guesses codes from their own address: that address and any other the account has
    /// not signed in from wait; the owner at home still signs in, and still proves themselves for a change.
    /// </summary>
    [Fact]
    public async Task A_stranger_guessing_codes_cannot_lock_the_owner_out_at_their_usual_address()
    {
        var user = await EnrolledAsync();
        const string Home = "198.51.100.7";
        const string Stranger = "203.0.113.9";
        const string Travel = "192.0.2.44";
        await (await AnswerAsync(await ChallengeAsync(user.Username, Home), NextCode(user.Secret), Home)).AssertStatus(
            200
        );

        for (var challenges = 0; challenges < 2; challenges++)
        {
            var challenge = await ChallengeAsync(user.Username, Stranger);
            for (var i = 0; i < 5; i++)
                await (await AnswerAsync(challenge, "000000", Stranger)).AssertProblem(401);
        }
        var code = NextCode(user.Secret);
        await (await AnswerAsync(await ChallengeAsync(user.Username, Stranger), code, Stranger)).AssertProblem(429);
        await (await AnswerAsync(await ChallengeAsync(user.Username, Travel), code, Travel)).AssertProblem(429);

        var signedIn = await (await AnswerAsync(await ChallengeAsync(user.Username, Home), code, Home)).AssertStatus(
            200
        );
        var token = signedIn["access_token"]!.GetValue<string>();
        using var change = new HttpRequestMessage(HttpMethod.Post, "/api/v1/users/me/password")
        {
            Content = JsonContent.Create(
                new
                {
                    current_password = Password,
                    new_password = "a whole new passphrase 9",
                    code = NextCode(user.Secret),
                }
            ),
        };
        change.Headers.Add("X-Forwarded-For", Home);
        change.Headers.Authorization = new("Bearer", token);
        await (await Client.SendAsync(change)).AssertStatus(200);
    }

    [Fact]
    public async Task Wrong_codes_sent_at_once_cannot_all_slip_under_the_accounts_limit()
    {
        var user = await EnrolledAsync();
        // Five challenges of five tries each: 25 wrong codes at once, of which the account takes ten.
        var challenges = new List<string>();
        for (var i = 0; i < 5; i++)
            challenges.Add(await ChallengeAsync(user.Username));
        var answers = await Task.WhenAll(
            challenges.SelectMany(c => Enumerable.Range(0, 5).Select(_ => AnswerAsync(c, "000000")))
        );
        Assert.Equal(10, answers.Count(a => a.StatusCode == HttpStatusCode.Unauthorized));
        Assert.Equal(15, answers.Count(a => a.StatusCode == HttpStatusCode.TooManyRequests));
    }

    [Fact]
    public async Task Bad_input_is_a_400_that_changes_nothing()
    {
        var user = await EnrolledAsync();
        var challenge = await ChallengeAsync(user.Username);
        await (await Client.PostJson("/api/v1/auth/login/two-factor", new { challenge })).AssertProblem(400);
        await (await Client.PostJson("/api/v1/auth/login/two-factor", new { code = "123456" })).AssertProblem(400);
        await (await AnswerAsync(challenge, new string('9', 5000))).AssertProblem(400);
        await (await AnswerAsync(challenge, "12\u000034")).AssertProblem(400);
        await (await Client.PostJson("/api/v1/auth/login/two-factor", "{\"challenge\": 5}")).AssertProblem(400);
        Assert.Equal(
            0,
            await fx.ScalarAsync<int>(
                "SELECT attempts FROM two_factor_challenges WHERE user_id = @id",
                ("id", Guid.Parse(user.Id))
            )
        );
        await (await AnswerAsync(challenge, NextCode(user.Secret))).AssertStatus(200);
    }

    [Fact]
    public async Task Setup_and_confirm_refuse_a_wrong_password_a_wrong_code_and_a_second_setup()
    {
        var registered = await fx.RegisterAsync();
        var token = registered["access_token"]!.GetValue<string>();
        var wrong = await (
            await Client.PostJson("/api/v1/users/me/two-factor", new { password = "not-the-password-1" }, token)
        ).AssertProblem(400);
        Assert.NotNull(wrong["errors"]!["password"]);
        await (await Client.PostJson("/api/v1/users/me/two-factor", new { }, token)).AssertProblem(400);
        await (await Client.PostJson("/api/v1/users/me/two-factor", new { password = Password })).AssertProblem(401);
        // Confirm before any setup.
        await (
            await Client.PostJson("/api/v1/users/me/two-factor/confirm", new { code = "123456" }, token)
        ).AssertProblem(409);

        var secret = (
            await (
                await Client.PostJson("/api/v1/users/me/two-factor", new { password = Password }, token)
            ).AssertStatus(200)
        )["secret"]!.GetValue<string>();
        var badCode = (int.Parse(NextCode(secret)) + 1) % 1_000_000;
        await (
            await Client.PostJson("/api/v1/users/me/two-factor/confirm", new { code = badCode.ToString("D6") }, token)
        ).AssertProblem(400);
        // A wrong code left it off.
        await fx.LoginAsync(registered["user"]!["username"]!.GetValue<string>(), Password);

        await (
            await Client.PostJson("/api/v1/users/me/two-factor/confirm", new { code = NextCode(secret) }, token)
        ).AssertStatus(200);
        await (await Client.PostJson("/api/v1/users/me/two-factor", new { password = Password }, token)).AssertProblem(
            409
        );
        await (
            await Client.PostJson("/api/v1/users/me/two-factor/confirm", new { code = NextCode(secret) }, token)
        ).AssertProblem(409);
    }

    [Fact]
    public async Task Disable_needs_the_password_and_a_code_then_login_gives_tokens_again()
    {
        var user = await EnrolledAsync();
        const string url = "/api/v1/users/me/two-factor";
        await (
            await Client.SendJson(
                HttpMethod.Delete,
                url,
                new { password = "wrong-password-1", code = NextCode(user.Secret) },
                user.Token
            )
        ).AssertProblem(400);
        await (
            await Client.SendJson(HttpMethod.Delete, url, new { password = Password, code = "000000" }, user.Token)
        ).AssertProblem(400);
        await (await Client.SendJson(HttpMethod.Delete, url, new { password = Password }, user.Token)).AssertProblem(
            400
        );
        await ChallengeAsync(user.Username);
        // The refused attempts told the owner nothing; the one that turned it off does, at the confirmed address.
        await fx.MailSentAsync();
        Assert.DoesNotContain(
            fx.Smtp.Messages,
            m => m.Body.Contains($"Two-factor sign-in of {user.Username} was turned off")
        );

        Assert.Equal(
            HttpStatusCode.NoContent,
            (
                await Client.SendJson(
                    HttpMethod.Delete,
                    url,
                    new { password = Password, code = user.RecoveryCodes[0] },
                    user.Token
                )
            ).StatusCode
        );
        var notice = await fx.Smtp.WaitForAsync($"{user.Username}@example.com", "was turned off");
        Assert.Contains("the password alone now signs in", notice.Body);
        await fx.LoginAsync(user.Username, Password);
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM two_factor_recovery_codes WHERE user_id = @id",
                ("id", Guid.Parse(user.Id))
            )
        );
        await (
            await Client.SendJson(HttpMethod.Delete, url, new { password = Password, code = "123456" }, user.Token)
        ).AssertProblem(409);
    }

    [Fact]
    public async Task Turning_two_factor_on_tells_the_owner()
    {
        var user = await EnrolledAsync();
        var notice = await fx.Smtp.WaitForAsync($"{user.Username}@example.com", "was turned on");
        Assert.Contains("ask an administrator to turn two-factor sign-in off", notice.Body);
    }

    [Fact]
    public async Task An_admin_turns_a_locked_out_members_two_factor_off_ending_every_session()
    {
        var user = await EnrolledAsync();
        var url = $"/api/v1/admin/users/{user.Id}/two-factor";
        var admin = await fx.LoginAsync(IdentityFixture.AdminUsername, fx.AdminPassword);
        // members do not; an admin does not reset their own, nor an account that does not exist
        var member = (await fx.RegisterAsync())["access_token"]!.GetValue<string>();
        await (await Client.SendJson(HttpMethod.Delete, url, null, member)).AssertProblem(403);
        var adminId = (await (await Client.Get("/api/v1/auth/me", admin)).AssertStatus(200))["id"]!.GetValue<string>();
        await (
            await Client.SendJson(HttpMethod.Delete, $"/api/v1/admin/users/{adminId}/two-factor", null, admin)
        ).AssertProblem(422);
        await (
            await Client.SendJson(HttpMethod.Delete, $"/api/v1/admin/users/{Guid.NewGuid()}/two-factor", null, admin)
        ).AssertProblem(404);
        await ChallengeAsync(user.Username);

        await (await Client.SendJson(HttpMethod.Delete, url, null, admin)).AssertStatus(204);
        // whoever turned it on is signed out; the password alone signs in; the owner is told
        await Eventually.TrueAsync(
            async () => (await Client.Get("/api/v1/auth/me", user.Token)).StatusCode == HttpStatusCode.Unauthorized,
            "the session of whoever turned it on still works"
        );
        await fx.LoginAsync(user.Username, Password);
        var notice = await fx.Smtp.WaitForAsync($"{user.Username}@example.com", "An administrator turned");
        Assert.Contains("every session of the account has ended", notice.Body);
        // again: nothing is on, nothing changes
        await (await Client.SendJson(HttpMethod.Delete, url, null, admin)).AssertStatus(204);
    }

    [Fact]
    public async Task A_wrong_password_with_two_factor_on_answers_as_without_it()
    {
        var user = await EnrolledAsync();
        var problem = await (
            await Client.PostJson("/api/v1/auth/login", new { identifier = user.Username, password = "nope-nope-1" })
        ).AssertProblem(401);
        Assert.Null(problem["challenge"]);
    }

    [Fact]
    public async Task The_login_answer_is_documented_as_tokens_or_a_challenge()
    {
        var document = await (await Client.Get("/openapi/v1.json")).AssertStatus(200);
        var oneOf = document["paths"]!["/api/v1/auth/login"]!["post"]!["responses"]!["200"]!["content"]![
            "application/json"
        ]!["schema"]!["oneOf"]!.AsArray();
        Assert.Equal(
            ["#/components/schemas/AuthResponse", "#/components/schemas/TwoFactorChallengeResponse"],
            oneOf.Select(s => s!["$ref"]!.GetValue<string>())
        );
        var challenge = document["components"]!["schemas"]!["TwoFactorChallengeResponse"]!["properties"]!;
        Assert.NotNull(challenge["two_factor_required"]);
        Assert.NotNull(document["paths"]!["/api/v1/auth/login/two-factor"]!["post"]!["responses"]!["401"]);
    }
}
