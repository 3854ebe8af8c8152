using System.Security.Cryptography;
using System.Text;

namespace Community.Identity.Tests;

public sealed class TokenTests(IdentityFixture fx) : IClassFixture<IdentityFixture>
{
    private HttpClient Client => fx.Client;

    private async Task<HttpStatusCode> MeStatus(string token) =>
        (await Client.Get("/api/v1/auth/me", token)).StatusCode;

    [Fact]
    public async Task Tokens_that_differ_from_a_valid_one_in_any_checked_way_are_refused_by_the_service()
    {
        var registered = await fx.RegisterAsync();
        var good = registered["access_token"]!.GetValue<string>();
        var sub = registered["user"]!["id"]!.GetValue<string>();
        Assert.Equal(HttpStatusCode.OK, await MeStatus(good));

        var (kid, key) = await fx.SigningKeyAsync();
        var now = fx.Clock.GetUtcNow();
        // Control: signed with the real key and right claims, accepted; each attack below changes one thing.
        Assert.Equal(HttpStatusCode.OK, await MeStatus(TestTokens.Es256(key, kid, TestTokens.Claims(sub, now))));

        var jwks = await (await Client.Get("/.well-known/jwks.json")).AssertStatus(200);
        var publicKey = TestTokens.PublicKeyBytes(jwks["keys"]![0]!);
        var expired = TestTokens.Claims(sub, now.AddMinutes(-20));
        var notYet = TestTokens.Claims(sub, now.AddMinutes(5));
        using var stranger = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        var attacks = new Dictionary<string, string>
        {
            ["alg none"] = TestTokens.Unsigned(kid, TestTokens.Claims(sub, now)),
            ["HS256 with the public key"] = TestTokens.Hs256(publicKey, kid, TestTokens.Claims(sub, now)),
            ["HS256 with the JWKS text"] = TestTokens.Hs256(
                Encoding.UTF8.GetBytes(jwks["keys"]![0]!.ToJsonString()),
                kid,
                TestTokens.Claims(sub, now)
            ),
            ["expired"] = TestTokens.Es256(key, kid, expired),
            ["not yet valid"] = TestTokens.Es256(key, kid, notYet),
            ["wrong audience"] = TestTokens.Es256(key, kid, TestTokens.Claims(sub, now, audience: "someone-else")),
            ["wrong issuer"] = TestTokens.Es256(key, kid, TestTokens.Claims(sub, now, issuer: "https://evil.example")),
            ["tampered role"] = TestTokens.Tamper(good, "role", "admin"),
            ["tampered subject"] = TestTokens.Tamper(good, "sub", Guid.NewGuid().ToString()),
            ["unknown kid"] = TestTokens.Es256(stranger, "not-a-kid", TestTokens.Claims(sub, now)),
            ["right kid, wrong key"] = TestTokens.Es256(stranger, kid, TestTokens.Claims(sub, now)),
            ["garbage"] = "not.a.jwt",
            ["empty signature"] = string.Join('.', good.Split('.')[..2]) + ".",
        };
        foreach (var (name, token) in attacks)
        {
            var response = await Client.Get("/api/v1/auth/me", token);
            Assert.True(
                response.StatusCode == HttpStatusCode.Unauthorized,
                $"{name}: expected 401, got {(int)response.StatusCode}"
            );
            await response.AssertProblem(401);
        }
    }

    [Fact]
    public async Task A_present_but_invalid_token_is_refused_even_on_anonymous_routes()
    {
        var response = await Client.PostJson(
            "/api/v1/waitlist",
            new { email = "anon@example.com" },
            token: "not.a.jwt"
        );
        await response.AssertProblem(401);
        Assert.Equal(0L, await fx.ScalarAsync<long>("SELECT count(*) FROM waitlist_entries"));
    }

    [Fact]
    public async Task Access_tokens_expire_after_fifteen_minutes_within_the_skew()
    {
        var registered = await fx.RegisterAsync();
        var token = registered["access_token"]!.GetValue<string>();
        var payload = TestTokens.Payload(token);
        Assert.Equal(900, payload["exp"]!.GetValue<long>() - payload["iat"]!.GetValue<long>());
        foreach (var claim in new[] { "sub", "name", "role", "tier", "iss", "aud" })
            Assert.NotNull(payload[claim]);
        Assert.NotNull(TestTokens.Header(token)["kid"]);

        using var clock = new ClockOffset(fx.Clock);
        clock.Advance(TimeSpan.FromMinutes(15) + TimeSpan.FromSeconds(20));
        Assert.Equal(HttpStatusCode.OK, await MeStatus(token)); // inside the 30 s skew
        clock.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal(HttpStatusCode.Unauthorized, await MeStatus(token));
    }

    [Fact]
    public async Task Refresh_rotates_and_the_old_token_stops_working()
    {
        var registered = await fx.RegisterAsync();
        var first = registered["refresh_token"]!.GetValue<string>();

        var second = await (await Client.PostJson("/api/v1/auth/refresh", new { refresh_token = first })).AssertStatus(
            200
        );
        var secondToken = second["refresh_token"]!.GetValue<string>();
        Assert.NotEqual(first, secondToken);
        Assert.Equal(HttpStatusCode.OK, await MeStatus(second["access_token"]!.GetValue<string>()));

        var third = await (
            await Client.PostJson("/api/v1/auth/refresh", new { refresh_token = secondToken })
        ).AssertStatus(200);
        Assert.NotNull(third["refresh_token"]);
        Assert.Equal(
            3L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM refresh_tokens WHERE user_id = @u",
                ("u", Guid.Parse(registered["user"]!["id"]!.GetValue<string>()))
            )
        );
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM refresh_tokens WHERE token_hash = sha256(convert_to(@t, 'UTF8'))",
                ("t", first)
            ) - 1
        );
    }

    [Fact]
    public async Task Reusing_a_rotated_token_revokes_the_whole_family()
    {
        var registered = await fx.RegisterAsync();
        var first = registered["refresh_token"]!.GetValue<string>();
        var second = (
            await (await Client.PostJson("/api/v1/auth/refresh", new { refresh_token = first })).AssertStatus(200)
        )["refresh_token"]!.GetValue<string>();

        // Past the window in which a lost answer's retry is taken.
        fx.Clock.Advance(TimeSpan.FromMinutes(1));
        await (await Client.PostJson("/api/v1/auth/refresh", new { refresh_token = first })).AssertProblem(401);
        // The thief's replay also kills the legitimate current token.
        await (await Client.PostJson("/api/v1/auth/refresh", new { refresh_token = second })).AssertProblem(401);

        // Another login of the same user (another family) is untouched.
        var other = await (
            await Client.PostJson(
                "/api/v1/auth/login",
                new { identifier = registered["user"]!["username"]!.GetValue<string>(), password = "correct-horse-9" }
            )
        ).AssertStatus(200);
        await (
            await Client.PostJson(
                "/api/v1/auth/refresh",
                new { refresh_token = other["refresh_token"]!.GetValue<string>() }
            )
        ).AssertStatus(200);
    }

    /// <summary>
    /// Refreshes of one token at once are taken one at a time: the first rotates it, the second (as a lost answer's
    /// retry) replaces the token the first made, and any more end the sign-in as a reuse. Never two live tokens.
    /// </summary>
    [Fact]
    public async Task Concurrent_refreshes_of_one_token_never_leave_two_live_tokens()
    {
        for (var round = 0; round < 5; round++)
        {
            var registered = await fx.RegisterAsync();
            var token = registered["refresh_token"]!.GetValue<string>();
            var responses = await Task.WhenAll(
                Enumerable
                    .Range(0, 4)
                    .Select(_ => Client.PostJson("/api/v1/auth/refresh", new { refresh_token = token }))
            );
            Assert.All(
                responses.Where(r => r.StatusCode != HttpStatusCode.OK),
                r => Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode)
            );
            Assert.True(
                await fx.ScalarAsync<long>(
                    "SELECT count(*) FROM refresh_tokens WHERE user_id = @u AND rotated_at IS NULL "
                        + "AND revoked_at IS NULL",
                    ("u", Guid.Parse(registered["user"]!["id"]!.GetValue<string>()))
                ) <= 1,
                $"round {round}: two live refresh tokens"
            );
            var answered = new List<string>();
            foreach (var ok in responses.Where(r => r.StatusCode == HttpStatusCode.OK))
                answered.Add((await ok.AssertStatus(200))["refresh_token"]!.GetValue<string>());
            var working = 0;
            foreach (var refresh in answered)
                if (
                    (await Client.PostJson("/api/v1/auth/refresh", new { refresh_token = refresh })).StatusCode
                    == HttpStatusCode.OK
                )
                    working++;
            Assert.True(working <= 1, $"round {round}: {working} answered tokens refreshed");
        }
    }

    /// <summary>
    /// The answer to a refresh was lost (a dropped connection, a page reloaded while it was on its way) and the client
    /// sends the same token again: within a minute, while the lost token is unused, it gets a new pair and the sign-in
    /// goes on; the lost token is used up. Once a later token has been used, or after the minute, the same is a reuse.
    /// </summary>
    [Fact]
    public async Task A_refresh_sent_again_after_a_lost_answer_goes_on_but_not_once_a_later_token_was_used()
    {
        var registered = await fx.RegisterAsync();
        var first = registered["refresh_token"]!.GetValue<string>();
        Task<HttpResponseMessage> RefreshAsync(string token) =>
            Client.PostJson("/api/v1/auth/refresh", new { refresh_token = token });
        var lost = (await (await RefreshAsync(first)).AssertStatus(200))["refresh_token"]!.GetValue<string>();

        fx.Clock.Advance(TimeSpan.FromSeconds(20));
        var retried = await (await RefreshAsync(first)).AssertStatus(200);
        Assert.Equal(HttpStatusCode.OK, await MeStatus(retried["access_token"]!.GetValue<string>()));
        var next = (await (await RefreshAsync(retried["refresh_token"]!.GetValue<string>())).AssertStatus(200))[
            "refresh_token"
        ]!.GetValue<string>();

        // A later token was used since: the first again is a reuse, and the sign-in ends.
        await (await RefreshAsync(first)).AssertProblem(401);
        await (await RefreshAsync(next)).AssertProblem(401);
        await (await RefreshAsync(lost)).AssertProblem(401);

        // From another address, even at once with the lost token unused: a stolen copy, and the sign-in ends.
        var copied = await fx.RegisterAsync();
        var copiedFirst = copied["refresh_token"]!.GetValue<string>();
        var copiedNext = (await (await RefreshAsync(copiedFirst)).AssertStatus(200))[
            "refresh_token"
        ]!.GetValue<string>();
        using (var elsewhere = new HttpRequestMessage(HttpMethod.Post, "/api/v1/auth/refresh"))
        {
            elsewhere.Content = System.Net.Http.Json.JsonContent.Create(new { refresh_token = copiedFirst });
            elsewhere.Headers.Add("X-Forwarded-For", "203.0.113.77");
            await (await Client.SendAsync(elsewhere)).AssertProblem(401);
        }
        await (await RefreshAsync(copiedNext)).AssertProblem(401);

        // And after the window, even with the lost token unused.
        var other = await fx.RegisterAsync();
        var otherFirst = other["refresh_token"]!.GetValue<string>();
        var otherLost = (await (await RefreshAsync(otherFirst)).AssertStatus(200))["refresh_token"]!.GetValue<string>();
        fx.Clock.Advance(TimeSpan.FromSeconds(61));
        await (await RefreshAsync(otherFirst)).AssertProblem(401);
        await (await RefreshAsync(otherLost)).AssertProblem(401);
    }

    /// <summary>
    /// Whoever holds the token a retry replaced (the lost answer, received after all, or read on its way) gets nothing
    /// by sending it: it was never rotated by its holder, so it is no retry but a reuse, and the sign-in ends. Else two
    /// holders on one address could pass the sign-in back and forth, each replacing the other's token.
    /// </summary>
    [Fact]
    public async Task The_token_a_retry_replaced_is_a_reuse_when_sent()
    {
        var registered = await fx.RegisterAsync();
        var first = registered["refresh_token"]!.GetValue<string>();
        Task<HttpResponseMessage> RefreshAsync(string token) =>
            Client.PostJson("/api/v1/auth/refresh", new { refresh_token = token });
        var lost = (await (await RefreshAsync(first)).AssertStatus(200))["refresh_token"]!.GetValue<string>();
        fx.Clock.Advance(TimeSpan.FromSeconds(5));
        var retried = (await (await RefreshAsync(first)).AssertStatus(200))["refresh_token"]!.GetValue<string>();

        fx.Clock.Advance(TimeSpan.FromSeconds(5));
        await (await RefreshAsync(lost)).AssertProblem(401);
        // The whole sign-in ended: the retry's token refreshes nothing either.
        await (await RefreshAsync(retried)).AssertProblem(401);
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM refresh_tokens WHERE user_id = @u AND revoked_at IS NULL",
                ("u", Guid.Parse(registered["user"]!["id"]!.GetValue<string>()))
            )
        );
    }

    [Fact]
    public async Task Refresh_tokens_expire_after_seven_days()
    {
        var registered = await fx.RegisterAsync();
        using var clock = new ClockOffset(fx.Clock);
        clock.Advance(TimeSpan.FromDays(7) + TimeSpan.FromMinutes(1));
        await (
            await Client.PostJson(
                "/api/v1/auth/refresh",
                new { refresh_token = registered["refresh_token"]!.GetValue<string>() }
            )
        ).AssertProblem(401);
    }

    [Fact]
    public async Task A_token_written_before_sessions_had_a_start_counts_from_its_familys_first_token()
    {
        var registered = await fx.RegisterAsync();
        var userId = Guid.Parse(registered["user"]!["id"]!.GetValue<string>());
        var refresh = await fx.RefreshAsync(registered["refresh_token"]!.GetValue<string>());
        // As an instance before migration 0019 wrote them: no start; the first row made 91 days ago.
        await fx.ExecuteAsync(
            "UPDATE refresh_tokens SET session_started_at = NULL WHERE user_id = @user",
            ("user", userId)
        );
        await fx.ExecuteAsync(
            "UPDATE refresh_tokens SET created_at = created_at - interval '91 days' WHERE user_id = @user "
                + "AND rotated_at IS NOT NULL",
            ("user", userId)
        );
        var over = await (await Client.PostJson("/api/v1/auth/refresh", new { refresh_token = refresh })).AssertProblem(
            401
        );
        Assert.Contains("sign in again", over["detail"]!.GetValue<string>());

        // Refused without being used up: 10 days old, the same token is rotated, and the new row carries the start.
        await fx.ExecuteAsync(
            "UPDATE refresh_tokens SET created_at = created_at + interval '81 days' WHERE user_id = @user "
                + "AND rotated_at IS NOT NULL",
            ("user", userId)
        );
        await fx.RefreshAsync(refresh);
        Assert.Equal(
            1L,
            await fx.ScalarAsync<long>(
                """
                SELECT count(*) FROM refresh_tokens t WHERE user_id = @user AND rotated_at IS NULL
                AND session_started_at = (SELECT min(created_at) FROM refresh_tokens WHERE user_id = @user)
                """,
                ("user", userId)
            )
        );
    }

    [Fact]
    public async Task Bad_refresh_requests_are_refused()
    {
        await (await Client.PostJson("/api/v1/auth/refresh", new { })).AssertProblem(400);
        await (await Client.PostJson("/api/v1/auth/refresh", new { refresh_token = "made-up" })).AssertProblem(401);
    }

    [Fact]
    public async Task Logout_revokes_the_family_of_the_token_used()
    {
        var registered = await fx.RegisterAsync();
        var access = registered["access_token"]!.GetValue<string>();
        var refresh = registered["refresh_token"]!.GetValue<string>();

        var response = await Client.PostJson("/api/v1/auth/logout", new { }, access);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        await (await Client.PostJson("/api/v1/auth/refresh", new { refresh_token = refresh })).AssertProblem(401);
        await (await Client.PostJson("/api/v1/auth/logout", new { })).AssertProblem(401);
    }
}

/// <summary>Moves the shared clock for one test and puts it back, so other tests of the class see real time.</summary>
internal sealed class ClockOffset(TestClock clock) : IDisposable
{
    private TimeSpan _moved;

    public void Advance(TimeSpan by)
    {
        clock.Advance(by);
        _moved += by;
    }

    public void Dispose() => clock.Advance(-_moved);
}
