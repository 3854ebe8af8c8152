namespace Community.Identity.Tests;

public sealed class RegistrationTests(IdentityFixture fx) : IClassFixture<IdentityFixture>
{
    private HttpClient Client => fx.Client;

    [Fact]
    public async Task Register_returns_the_user_and_a_token_pair()
    {
        var response = await Client.PostJson(
            "/api/v1/auth/register",
            new
            {
                username = "Amira.Dxb",
                email = "Amira@Example.com",
                phone = "+971501234567",
                password = "sunny-dunes-42",
                full_name = "Amira K",
                role = "organizer",
            }
        );
        var body = await response.AssertStatus(201);
        Assert.Equal("/api/v1/users/me", response.Headers.Location?.OriginalString);
        Assert.Equal("bearer", body["token_type"]!.GetValue<string>());
        Assert.Equal(900, body["expires_in"]!.GetValue<int>());
        Assert.Equal(3, body["access_token"]!.GetValue<string>().Split('.').Length);
        Assert.True(body["refresh_token"]!.GetValue<string>().Length >= 43);
        var user = body["user"]!;
        Assert.Equal("amira.dxb", user["username"]!.GetValue<string>());
        Assert.Equal("amira@example.com", user["email"]!.GetValue<string>());
        Assert.Equal("+971501234567", user["phone"]!.GetValue<string>());
        Assert.Equal("organizer", user["role"]!.GetValue<string>());
        Assert.Equal("free", user["tier"]!.GetValue<string>());
        Assert.Equal(10, user["referral_code"]!.GetValue<string>().Length);
        Assert.Null(user["password_hash"]);
        // Nothing is proven yet: the mailed link confirms the e-mail, an SMS code the phone.
        Assert.False(user["email_verified"]!.GetValue<bool>());
        Assert.False(user["phone_verified"]!.GetValue<bool>());
        Assert.False(user["is_verified"]!.GetValue<bool>());

        var claims = TestTokens.Payload(body["access_token"]!.GetValue<string>());
        Assert.Equal(user["id"]!.GetValue<string>(), claims["sub"]!.GetValue<string>());
        Assert.Equal("organizer", claims["role"]!.GetValue<string>());
        Assert.Equal("free", claims["tier"]!.GetValue<string>());
        Assert.Equal("ES256", TestTokens.Header(body["access_token"]!.GetValue<string>())["alg"]!.GetValue<string>());

        var stored = await fx.ScalarAsync<string>("SELECT password_hash FROM users WHERE username = 'amira.dxb'");
        Assert.StartsWith("v1$210000$", stored);
        Assert.Equal(
            1L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM outbox_messages WHERE type LIKE 'Community.Contracts.Identity.UserRegistered,%' "
                    + "AND payload->>'username' = 'amira.dxb'"
            )
        );
        Assert.Equal(
            "false",
            await fx.ScalarAsync<string>(
                "SELECT payload->>'isVerified' FROM outbox_messages WHERE type LIKE '%UserRegistered,%' "
                    + "AND payload->>'username' = 'amira.dxb'"
            )
        );

        await (await fx.ConfirmAsync("amira@example.com")).AssertStatus(200);
        var confirmed = await (
            await Client.Get("/api/v1/auth/me", body["access_token"]!.GetValue<string>())
        ).AssertStatus(200);
        Assert.Equal(user["id"]!.GetValue<string>(), confirmed["id"]!.GetValue<string>());
        Assert.True(confirmed["email_verified"]!.GetValue<bool>());
        Assert.True(confirmed["is_verified"]!.GetValue<bool>());
        Assert.Equal(
            "[\"is_verified\", \"email_verified\"]",
            await fx.ScalarAsync<string>(
                "SELECT (payload->'changedFields')::text FROM outbox_messages WHERE type LIKE '%UserProfileUpdated,%' "
                    + "AND payload->>'userId' = @id "
                    + "AND (payload->>'isVerified')::boolean",
                ("id", user["id"]!.GetValue<string>())
            )
        );
    }

    [Fact]
    public async Task Phone_alone_is_enough_and_logs_in()
    {
        var response = await Client.PostJson(
            "/api/v1/auth/register",
            new
            {
                username = "phone_only",
                phone = "+447700900123",
                password = "long-enough-1",
            }
        );
        await response.AssertStatus(201);
        var login = await Client.PostJson(
            "/api/v1/auth/login",
            new { identifier = "+447700900123", password = "long-enough-1" }
        );
        await login.AssertStatus(200);
    }

    [Fact]
    public async Task Taken_usernames_conflict_and_taken_emails_get_the_answer_free_ones_get()
    {
        await fx.RegisterAsync("taken_name");
        var sameName = await Client.PostJson(
            "/api/v1/auth/register",
            new
            {
                username = "TAKEN_NAME",
                email = "other1@example.com",
                password = "long-enough-1",
            }
        );
        Assert.Contains("username", (await sameName.AssertProblem(409))["detail"]!.GetValue<string>());

        // Usernames are public; whether an e-mail has an account is told only to that address.
        var free = await Client.PostJson(
            "/api/v1/auth/register",
            new
            {
                username = "free_name",
                email = "free_mail@example.com",
                password = "long-enough-1",
            }
        );
        var sameEmail = await Client.PostJson(
            "/api/v1/auth/register",
            new
            {
                username = "other_name",
                email = "Taken_Name@Example.com",
                password = "long-enough-1",
            }
        );
        Assert.Equal(Shape(await free.AssertStatus(201)), Shape(await sameEmail.AssertStatus(201)));
        Assert.Equal(free.Headers.Location, sameEmail.Headers.Location);
        var note = await fx.Smtp.WaitForAsync("taken_name@example.com");
        Assert.Contains("Someone tried to create a Community account with this e-mail address", note.Body);
        Assert.DoesNotContain("Confirmation token", note.Body);
        Assert.False(
            await fx.ScalarAsync<bool>("SELECT email_verified_at IS NOT NULL FROM users WHERE username = 'other_name'")
        );
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM email_verification_tokens t JOIN users u ON u.id = t.user_id "
                    + "WHERE u.username = 'other_name'"
            )
        );
    }

    [Fact]
    public async Task Concurrent_registrations_of_one_username_create_one_account()
    {
        var attempts = await Task.WhenAll(
            Enumerable
                .Range(0, 6)
                .Select(i =>
                    Client.PostJson(
                        "/api/v1/auth/register",
                        new
                        {
                            username = "race_name",
                            email = $"race{i}@example.com",
                            password = "long-enough-1",
                        }
                    )
                )
        );
        Assert.Equal(1, attempts.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.All(
            attempts.Where(r => r.StatusCode != HttpStatusCode.Created),
            r => Assert.Equal(HttpStatusCode.Conflict, r.StatusCode)
        );
        Assert.Equal(1L, await fx.ScalarAsync<long>("SELECT count(*) FROM users WHERE username = 'race_name'"));
    }

    [Fact]
    public async Task A_confirmation_token_works_once_and_expires()
    {
        await (
            await Client.PostJson(
                "/api/v1/auth/register",
                new
                {
                    username = "once_only",
                    email = "once_only@example.com",
                    password = "long-enough-1",
                }
            )
        ).AssertStatus(201);
        var token = await fx.ConfirmationTokenAsync("once_only@example.com");
        // Only a hash is stored: the token itself is nowhere in the database.
        Assert.Equal(
            32,
            await fx.ScalarAsync<int>(
                "SELECT length(t.token_hash) FROM email_verification_tokens t JOIN users u ON u.id = t.user_id "
                    + "WHERE u.username = 'once_only'"
            )
        );
        // The address and that it is proven, nothing more of the account: the link proves who reads the mailbox, and
        // an address mistyped at registration mails a stranger.
        var confirmed = await (await Client.PostJson("/api/v1/auth/register/confirm", new { token })).AssertStatus(200);
        Assert.Equal(
            ["email", "email_verified"],
            confirmed.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal).ToArray()
        );
        Assert.Equal("once_only@example.com", confirmed["email"]!.GetValue<string>());
        Assert.True(confirmed["email_verified"]!.GetValue<bool>());
        Assert.NotNull(
            (await (await Client.PostJson("/api/v1/auth/register/confirm", new { token })).AssertProblem(400))[
                "errors"
            ]!["token"]
        );

        await (
            await Client.PostJson(
                "/api/v1/auth/register",
                new
                {
                    username = "too_late",
                    email = "too_late@example.com",
                    password = "long-enough-1",
                }
            )
        ).AssertStatus(201);
        using var clock = new ClockOffset(fx.Clock);
        clock.Advance(TimeSpan.FromHours(24) + TimeSpan.FromMinutes(1));
        await (await fx.ConfirmAsync("too_late@example.com")).AssertProblem(400);
        Assert.False(
            await fx.ScalarAsync<bool>("SELECT email_verified_at IS NOT NULL FROM users WHERE username = 'too_late'")
        );
    }

    [Fact]
    public async Task A_taken_phone_gets_the_answer_a_free_one_gets()
    {
        var owner = await (
            await Client.PostJson(
                "/api/v1/auth/register",
                new
                {
                    username = "first_phone",
                    phone = "+447700900555",
                    password = "long-enough-1",
                }
            )
        ).AssertStatus(201);
        await fx.ScalarAsync<int>(
            "UPDATE users SET phone_verified_at = now() WHERE username = 'first_phone' RETURNING 1"
        );
        var free = await Client.PostJson(
            "/api/v1/auth/register",
            new
            {
                username = "free_phone",
                phone = "+447700900556",
                password = "long-enough-1",
            }
        );
        var taken = await Client.PostJson(
            "/api/v1/auth/register",
            new
            {
                username = "second_phone",
                phone = "+447700900555",
                password = "long-enough-1",
            }
        );
        var unverifiedTwice = await Client.PostJson(
            "/api/v1/auth/register",
            new
            {
                username = "third_phone",
                phone = "+447700900556",
                password = "long-enough-1",
            }
        );
        Assert.Equal(Shape(await free.AssertStatus(201)), Shape(await taken.AssertStatus(201)));
        Assert.Equal(Shape(owner), Shape(await unverifiedTwice.AssertStatus(201)));
        Assert.False(
            await fx.ScalarAsync<bool>(
                "SELECT phone_verified_at IS NOT NULL FROM users WHERE username = 'second_phone'"
            )
        );
    }

    /// <summary>
    /// Every member's name and JSON kind, values left out: what a client could tell two answers apart by besides the
    /// values.
    /// </summary>
    private static string Shape(System.Text.Json.Nodes.JsonNode? node) =>
        node switch
        {
            System.Text.Json.Nodes.JsonObject o => "{"
                + string.Join(
                    ",",
                    o.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Key + ":" + Shape(p.Value))
                )
                + "}",
            System.Text.Json.Nodes.JsonArray a => "[" + string.Join(",", a.Select(Shape)) + "]",
            null => "null",
            _ => node.GetValueKind().ToString(),
        };
}
