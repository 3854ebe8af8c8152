using System.Security.Cryptography;
using System.Text;

namespace Community.Identity.Tests;

public sealed class TokenTests(IdentityFixture fx) : IClassFixture<IdentityFixture>
{
    private HttpClient Client => fx.Client;

    private async Task<HttpStatusCode> MeStatus(string token) =>
        (await Client.Get("/api/v1/auth/me", token)).StatusCode;

    /// <summary>A refresh as the gateway forwards it: from <paramref name="from"/>, else from the test host.</summary>
    private async Task<HttpResponseMessage> RefreshAsync(string token, string? from = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/auth/refresh");
        request.Content = System.Net.Http.Json.JsonContent.Create(new { refresh_token = token });
        if (from is not null)
            request.Headers.Add("X-Forwarded-For", from);
        return await Client.SendAsync(request);
    }

    private async Task<JsonNode> RefreshedAsync(string token, string? from = null) =>
        await (await RefreshAsync(token, from)).AssertStatus(200);

    private static string Refresh(JsonNode pair) => pair["refresh_token"]!.GetValue<string>();

    private static Guid UserId(JsonNode registered) => Guid.Parse(registered["user"]!["id"]!.GetValue<string>());

    /// <summary>How many of the user's sign-ins ended as stolen (a rotated refresh token reused).</summary>
    private Task<long> ReusesAsync(Guid userId) =>
        fx.ScalarAsync<long>(
            "SELECT count(*) FROM session_revocations WHERE user_id = @u AND reason = 'refresh_token_reused'",
            ("u", userId)
        );

    private Task<long> LiveTokensAsync(Guid userId) =>
        fx.ScalarAsync<long>(
            "SELECT count(*) FROM refresh_tokens WHERE user_id = @u AND rotated_at IS NULL AND revoked_at IS NULL",
            ("u", userId)
        );

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
    /// goes on; the lost token is used up. Once a later token has been refreshed with, or after the minute, the same is
    /// a reuse.
    /// </summary>
    [Fact]
    public async Task A_refresh_sent_again_after_a_lost_answer_goes_on_but_not_once_a_later_token_was_used()
    {
        var registered = await fx.RegisterAsync();
        var first = registered["refresh_token"]!.GetValue<string>();
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

        // And after the window, even with the lost token unused.
        var other = await fx.RegisterAsync();
        var otherFirst = other["refresh_token"]!.GetValue<string>();
        var otherLost = (await (await RefreshAsync(otherFirst)).AssertStatus(200))["refresh_token"]!.GetValue<string>();
        fx.Clock.Advance(TimeSpan.FromSeconds(61));
        await (await RefreshAsync(otherFirst)).AssertProblem(401);
        await (await RefreshAsync(otherLost)).AssertProblem(401);
    }

    /// <summary>
    /// The token a retry replaced, sent later from the retry's address, is that client's older answer (the lost one,
    /// received after all): refused alone, and the sign-in goes on with the retry's token. It gets nothing, so two
    /// holders cannot pass the sign-in back and forth. Sent from elsewhere (read on its way), it is a reuse.
    /// </summary>
    [Fact]
    public async Task The_token_a_retry_replaced_is_refused_alone_from_the_retrys_address_and_a_reuse_from_elsewhere()
    {
        var registered = await fx.RegisterAsync();
        var first = Refresh(registered);
        var lost = Refresh(await RefreshedAsync(first));
        fx.Clock.Advance(TimeSpan.FromSeconds(5));
        var retried = Refresh(await RefreshedAsync(first));

        fx.Clock.Advance(TimeSpan.FromSeconds(5));
        var refused = await (await RefreshAsync(lost)).AssertProblem(401);
        Assert.Contains("replaced by a newer one", refused["detail"]!.GetValue<string>());
        await RefreshedAsync(retried);
        Assert.Equal(0L, await ReusesAsync(UserId(registered)));
        // Once, and again later: still nothing issued, nothing ended.
        fx.Clock.Advance(TimeSpan.FromMinutes(15));
        await (await RefreshAsync(lost)).AssertProblem(401);
        Assert.Equal(1L, await LiveTokensAsync(UserId(registered)));
        Assert.Equal(0L, await ReusesAsync(UserId(registered)));

        var read = await fx.RegisterAsync();
        var readFirst = Refresh(read);
        var readOnItsWay = Refresh(await RefreshedAsync(readFirst));
        fx.Clock.Advance(TimeSpan.FromSeconds(5));
        var readRetried = Refresh(await RefreshedAsync(readFirst));
        await (await RefreshAsync(readOnItsWay, "203.0.113.77")).AssertProblem(401);
        // The whole sign-in ended: the retry's token refreshes nothing either.
        await (await RefreshAsync(readRetried)).AssertProblem(401);
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM refresh_tokens WHERE user_id = @u AND revoked_at IS NULL",
                ("u", UserId(read))
            )
        );
        Assert.Equal(1L, await ReusesAsync(UserId(read)));
    }

    /// <summary>
    /// An answer is most often lost to a network switch (Wi-Fi to mobile data, a new IPv6 address), so its retry comes
    /// from another address: within the window it gets a working pair and the sign-in goes on.
    /// </summary>
    [Fact]
    public async Task A_lost_answer_retried_from_another_address_goes_on()
    {
        var registered = await fx.RegisterAsync();
        var first = Refresh(registered);
        await RefreshedAsync(first);

        fx.Clock.Advance(TimeSpan.FromSeconds(10));
        var retried = await RefreshedAsync(first, "198.51.100.23");
        Assert.Equal(HttpStatusCode.OK, await MeStatus(retried["access_token"]!.GetValue<string>()));
        var next = await RefreshedAsync(Refresh(retried), "198.51.100.23");
        Assert.Equal(HttpStatusCode.OK, await MeStatus(next["access_token"]!.GetValue<string>()));
        Assert.Equal(0L, await ReusesAsync(UserId(registered)));
        Assert.Equal(1L, await LiveTokensAsync(UserId(registered)));
    }

    /// <summary>
    /// A retry whose answer is lost too is retried again: the same token within the window gets a pair however many
    /// answers were lost, since the tokens the retries replaced were never refreshed with.
    /// </summary>
    [Fact]
    public async Task Answers_lost_twice_in_a_row_are_retried_and_the_third_answer_works()
    {
        var registered = await fx.RegisterAsync();
        var first = Refresh(registered);
        await RefreshedAsync(first);
        fx.Clock.Advance(TimeSpan.FromSeconds(10));
        await RefreshedAsync(first);
        fx.Clock.Advance(TimeSpan.FromSeconds(10));
        var third = await RefreshedAsync(first, "198.51.100.23");

        Assert.Equal(HttpStatusCode.OK, await MeStatus(third["access_token"]!.GetValue<string>()));
        await RefreshedAsync(Refresh(third));
        Assert.Equal(0L, await ReusesAsync(UserId(registered)));
        Assert.Equal(1L, await LiveTokensAsync(UserId(registered)));
    }

    /// <summary>
    /// Two refreshes with one token at once (two tabs, or a client's own race): the second is taken as the first's
    /// retry, so both get a pair. Whichever answer the client keeps, refreshing with it never ends the sign-in: the
    /// newer one works, the one the retry replaced is refused alone.
    /// </summary>
    [Fact]
    public async Task Two_refreshes_of_one_token_at_once_leave_the_sign_in_going_with_either_answer()
    {
        for (var round = 0; round < 4; round++)
        {
            var registered = await fx.RegisterAsync();
            var token = Refresh(registered);
            var answers = await Task.WhenAll(RefreshAsync(token), RefreshAsync(token));
            var pairs = new List<JsonNode>();
            foreach (var answer in answers)
                pairs.Add(await answer.AssertStatus(200));

            // Either answer first: the one the client happened to store.
            List<JsonNode> kept = round % 2 == 0 ? pairs : [pairs[1], pairs[0]];
            var statuses = new List<HttpStatusCode>();
            foreach (var pair in kept)
                statuses.Add((await RefreshAsync(Refresh(pair))).StatusCode);
            Assert.Equal(1, statuses.Count(s => s == HttpStatusCode.OK));
            Assert.Equal(1, statuses.Count(s => s == HttpStatusCode.Unauthorized));
            Assert.Equal(0L, await ReusesAsync(UserId(registered)));
            Assert.Equal(1L, await LiveTokensAsync(UserId(registered)));
            foreach (var pair in pairs)
                Assert.Equal(HttpStatusCode.OK, await MeStatus(pair["access_token"]!.GetValue<string>()));
        }
    }

    /// <summary>
    /// A retry is taken from any address, so a copy of the token sent within the window gets a pair, as a retry after
    /// a network switch would. The holder's next refresh sends the token that copy replaced, from another address than
    /// the copy's: a reuse, and the sign-in ends, the copy's tokens with it.
    /// </summary>
    [Fact]
    public async Task A_thiefs_retry_from_elsewhere_ends_the_sign_in_when_its_holder_next_refreshes()
    {
        var registered = await fx.RegisterAsync();
        var first = Refresh(registered);
        var held = Refresh(await RefreshedAsync(first));
        fx.Clock.Advance(TimeSpan.FromSeconds(20));
        var stolen = Refresh(await RefreshedAsync(first, "203.0.113.77"));

        // When the holder's access token runs out.
        fx.Clock.Advance(TimeSpan.FromMinutes(15));
        await (await RefreshAsync(held)).AssertProblem(401);
        await (await RefreshAsync(stolen, "203.0.113.77")).AssertProblem(401);
        Assert.Equal(1L, await ReusesAsync(UserId(registered)));
        Assert.Equal(0L, await LiveTokensAsync(UserId(registered)));
    }

    /// <summary>
    /// Tokens the retries replaced are left out of what counts as used, nothing else: once a later token was refreshed
    /// with, the first one sent again is a reuse, from any address, in the window or after it.
    /// </summary>
    [Fact]
    public async Task A_token_sent_again_after_a_later_one_was_refreshed_with_is_a_reuse_from_any_address()
    {
        // In the window, a retry's token refreshed with since.
        var registered = await fx.RegisterAsync();
        var first = Refresh(registered);
        await RefreshedAsync(first);
        fx.Clock.Advance(TimeSpan.FromSeconds(5));
        var retried = Refresh(await RefreshedAsync(first));
        var next = Refresh(await RefreshedAsync(retried));
        fx.Clock.Advance(TimeSpan.FromSeconds(5));
        await (await RefreshAsync(first, "198.51.100.23")).AssertProblem(401);
        await (await RefreshAsync(next)).AssertProblem(401);
        Assert.Equal(1L, await ReusesAsync(UserId(registered)));

        // After the window, its successor refreshed with.
        var other = await fx.RegisterAsync();
        var otherFirst = Refresh(other);
        var otherNext = Refresh(await RefreshedAsync(Refresh(await RefreshedAsync(otherFirst))));
        fx.Clock.Advance(TimeSpan.FromSeconds(61));
        await (await RefreshAsync(otherFirst, "198.51.100.23")).AssertProblem(401);
        await (await RefreshAsync(otherNext)).AssertProblem(401);
        Assert.Equal(1L, await ReusesAsync(UserId(other)));
        Assert.Equal(0L, await LiveTokensAsync(UserId(other)));
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
