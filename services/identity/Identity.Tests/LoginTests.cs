namespace Community.Identity.Tests;

public sealed class LoginTests(IdentityFixture fx) : IClassFixture<IdentityFixture>
{
    private HttpClient Client => fx.Client;

    [Fact]
    public async Task Login_works_with_username_email_or_phone()
    {
        await fx.RegisterAndConfirmAsync(
            new
            {
                username = "tri_login",
                email = "Tri@Example.com",
                phone = "+971509999999",
                password = "long-enough-1",
            },
            "tri@example.com"
        );

        foreach (var identifier in new[] { "tri_login", "TRI_LOGIN", "tri@example.com", "+971509999999" })
        {
            var body = await (
                await Client.PostJson("/api/v1/auth/login", new { identifier, password = "long-enough-1" })
            ).AssertStatus(200);
            Assert.Equal("tri_login", body["user"]!["username"]!.GetValue<string>());
            Assert.Equal("bearer", body["token_type"]!.GetValue<string>());
            Assert.NotNull(body["refresh_token"]);
        }
    }

    [Fact]
    public async Task Unknown_user_and_wrong_password_get_the_same_answer()
    {
        await fx.RegisterAsync("known_user");
        var wrong = await (
            await Client.PostJson(
                "/api/v1/auth/login",
                new { identifier = "known_user", password = "not-the-password-1" }
            )
        ).AssertProblem(401);
        var unknown = await (
            await Client.PostJson(
                "/api/v1/auth/login",
                new { identifier = "nobody_here", password = "not-the-password-1" }
            )
        ).AssertProblem(401);
        Assert.Equal(wrong["detail"]!.GetValue<string>(), unknown["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task Missing_login_fields_are_validation_errors()
    {
        var problem = await (await Client.PostJson("/api/v1/auth/login", new { })).AssertProblem(400);
        Assert.NotNull(problem["errors"]!["identifier"]);
        Assert.NotNull(problem["errors"]!["password"]);
    }

    [Fact]
    public async Task Repeated_failures_lock_the_account_with_retry_after()
    {
        await fx.RegisterAsync("locked_user");
        for (var i = 0; i < 10; i++)
            await (
                await Client.PostJson(
                    "/api/v1/auth/login",
                    new { identifier = "locked_user", password = "wrong-password-1" }
                )
            ).AssertProblem(401);

        var refused = await Client.PostJson(
            "/api/v1/auth/login",
            new { identifier = "locked_user", password = "correct-horse-9" }
        );
        await refused.AssertProblem(429);
        var retryAfter = int.Parse(refused.Headers.GetValues("Retry-After").Single());
        Assert.InRange(retryAfter, 1, 15 * 60);

        // Once the window has passed the right password works again.
        fx.Clock.Advance(TimeSpan.FromMinutes(16));
        await (
            await Client.PostJson(
                "/api/v1/auth/login",
                new { identifier = "locked_user", password = "correct-horse-9" }
            )
        ).AssertStatus(200);
    }

    [Fact]
    public async Task A_success_clears_the_failure_count()
    {
        await fx.RegisterAsync("forgetful");
        for (var i = 0; i < 9; i++)
            await Client.PostJson(
                "/api/v1/auth/login",
                new { identifier = "forgetful", password = "wrong-password-1" }
            );
        await (
            await Client.PostJson("/api/v1/auth/login", new { identifier = "forgetful", password = "correct-horse-9" })
        ).AssertStatus(200);
        var afterSuccess = await Client.PostJson(
            "/api/v1/auth/login",
            new { identifier = "forgetful", password = "wrong-password-1" }
        );
        Assert.Equal(HttpStatusCode.Unauthorized, afterSuccess.StatusCode);
    }

    [Fact]
    public async Task Me_returns_the_signed_in_account_and_needs_a_token()
    {
        var registered = await fx.RegisterAsync();
        var me = await (
            await Client.Get("/api/v1/auth/me", registered["access_token"]!.GetValue<string>())
        ).AssertStatus(200);
        Assert.Equal(registered["user"]!["id"]!.GetValue<string>(), me["id"]!.GetValue<string>());
        await (await Client.Get("/api/v1/auth/me")).AssertProblem(401);
    }

    [Fact]
    public async Task Failures_are_counted_against_the_client_address_the_gateway_forwards()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/auth/login")
        {
            Content = System.Net.Http.Json.JsonContent.Create(
                new { identifier = "nobody_fwd", password = "wrong-password-1" }
            ),
        };
        request.Headers.Add("X-Forwarded-For", "203.0.113.7");
        await (await Client.SendAsync(request)).AssertProblem(401);
        Assert.Equal(
            1L,
            await fx.ScalarAsync<long>("SELECT failures FROM login_failures WHERE key = 'ip:203.0.113.7'")
        );
    }

    [Fact]
    public async Task Parallel_guesses_cannot_all_slip_under_the_lockout()
    {
        await fx.RegisterAsync("parallel_target");
        var guesses = await Task.WhenAll(
            Enumerable
                .Range(0, 25)
                .Select(i =>
                    Client.PostJson(
                        "/api/v1/auth/login",
                        new { identifier = "parallel_target", password = $"guess-number-{i}" }
                    )
                )
        );
        Assert.Equal(10, guesses.Count(r => r.StatusCode == HttpStatusCode.Unauthorized));
        Assert.Equal(15, guesses.Count(r => r.StatusCode == HttpStatusCode.TooManyRequests));
    }
}
