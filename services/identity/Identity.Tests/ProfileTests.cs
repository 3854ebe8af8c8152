using System.Net.Http.Json;
using Npgsql;

namespace Community.Identity.Tests;

public sealed class ProfileTests(IdentityFixture fx) : IClassFixture<IdentityFixture>
{
    private HttpClient Client => fx.Client;

    private static string Token(System.Text.Json.Nodes.JsonNode registered) =>
        registered["access_token"]!.GetValue<string>();

    [Fact]
    public async Task Patch_changes_only_the_fields_given_and_derives_age()
    {
        var registered = await fx.RegisterAsync();
        var token = Token(registered);
        var bornOn = DateOnly.FromDateTime(DateTime.UtcNow).AddYears(-30).AddDays(-1);
        var updated = await (
            await Client.SendJson(
                HttpMethod.Patch,
                "/api/v1/users/me",
                new
                {
                    bio = "Runner and reader",
                    region = "Dubai Marina",
                    city = "Dubai",
                    country = "AE",
                    gender = "female",
                    date_of_birth = bornOn.ToString("yyyy-MM-dd"),
                    interests = new[] { "Running", "books", "running" },
                    languages = new[] { "en", "ar" },
                    profile_image_url = "https://cdn.example.com/me.png",
                    linkedin_url = "https://www.linkedin.com/in/me",
                    github_url = "https://github.com/me",
                    identity_badge = "Connector",
                },
                token
            )
        ).AssertStatus(200);

        Assert.Equal("Runner and reader", updated["bio"]!.GetValue<string>());
        Assert.Equal(30, updated["age"]!.GetValue<int>());
        Assert.Equal(["running", "books"], updated["interests"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal("Test User", updated["full_name"]!.GetValue<string>()); // untouched

        var cleared = await (
            await Client.SendJson(HttpMethod.Patch, "/api/v1/users/me", "{\"bio\": null}", token)
        ).AssertStatus(200);
        Assert.Null(cleared["bio"]);
        Assert.Equal("Dubai", cleared["city"]!.GetValue<string>());
        // The two patches, besides the update the registration's e-mail confirmation published.
        Assert.Equal(
            2L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM outbox_messages WHERE type LIKE '%UserProfileUpdated,%' "
                    + "AND payload->>'userId' = @id "
                    + "AND NOT payload->'changedFields' @> '[\"email_verified\"]'::jsonb",
                ("id", registered["user"]!["id"]!.GetValue<string>())
            )
        );
        // The whole public profile travels, for social's profiles and discovery filters.
        var first = System.Text.Json.Nodes.JsonNode.Parse(
            (
                await fx.ScalarAsync<string>(
                    "SELECT payload::text FROM outbox_messages WHERE type LIKE '%UserProfileUpdated,%' "
                        + "AND payload->>'userId' = @id "
                        + "AND NOT payload->'changedFields' @> '[\"email_verified\"]'::jsonb ORDER BY sequence LIMIT 1",
                    ("id", registered["user"]!["id"]!.GetValue<string>())
                )
            )!
        )!;
        Assert.Equal("Runner and reader", first["bio"]!.GetValue<string>());
        Assert.Equal("female", first["gender"]!.GetValue<string>());
        Assert.Equal(bornOn.ToString("yyyy-MM-dd"), first["dateOfBirth"]!.GetValue<string>());
        Assert.Equal("Connector", first["identityBadge"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_patch_racing_another_change_of_the_account_publishes_the_profile_as_it_ends_up()
    {
        var registered = await fx.RegisterAsync();
        var id = Guid.Parse(registered["user"]!["id"]!.GetValue<string>());
        // Another writer (a picture upload, a verification) has changed the row and not committed yet.
        await using var other = new NpgsqlConnection(fx.Resources.DatabaseConnectionString);
        await other.OpenAsync();
        await using var changing = await other.BeginTransactionAsync();
        await using (var update = new NpgsqlCommand("UPDATE users SET bio = 'other' WHERE id = @id", other, changing))
        {
            update.Parameters.AddWithValue("id", id);
            await update.ExecuteNonQueryAsync();
        }

        // Without If-Match: the patch still waits for the row before it reads it.
        var patch = Client.SendJson(HttpMethod.Patch, "/api/v1/users/me", new { city = "Dubai" }, Token(registered));
        await fx.SomeoneWaitsOnALockAsync("the patch never waited for the account being changed elsewhere");
        await changing.CommitAsync();

        var patched = await (await patch).AssertStatus(200);
        Assert.Equal("other", patched["bio"]!.GetValue<string>());
        // Other services keep the newest profile event: it carries both changes, not the profile read before the other.
        var newest = JsonNode.Parse(
            (
                await fx.ScalarAsync<string>(
                    "SELECT payload::text FROM outbox_messages WHERE type LIKE '%UserProfileUpdated,%' "
                        + "AND payload->>'userId' = @id ORDER BY sequence DESC LIMIT 1",
                    ("id", id.ToString())
                )
            )!
        )!;
        Assert.Equal("Dubai", newest["city"]!.GetValue<string>());
        Assert.Equal("other", newest["bio"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("{\"role\": \"admin\"}", "role")]
    [InlineData("{\"tier\": \"elite\"}", "tier")]
    [InlineData("{\"id\": \"00000000-0000-0000-0000-000000000001\"}", "id")]
    [InlineData("{\"created_at\": \"2001-01-01T00:00:00Z\"}", "created_at")]
    [InlineData("{\"email\": \"x@example.com\"}", "email")]
    [InlineData("{\"full_name\": \"Fine\", \"role\": \"admin\"}", "role")]
    [InlineData("{\"shoe_size\": 44}", "shoe_size")]
    // A name is one line: quoted into others' notifications and mail, it must not add lines or reorder the rest.
    [InlineData("{\"full_name\": \"Lina\\nSECURITY: verify at evil.example\", \"bio\": \"Hi\"}", "full_name")]
    [InlineData("{\"full_name\": \"Lina \\u202Egnp.exe\"}", "full_name")]
    [InlineData("{\"full_name\": \"\\u200B\\u200B\"}", "full_name")]
    public async Task Fields_a_user_may_not_set_are_refused_and_nothing_is_applied(string body, string field)
    {
        var registered = await fx.RegisterAsync();
        var response = await Client.SendJson(HttpMethod.Patch, "/api/v1/users/me", body, Token(registered));
        Assert.NotNull((await response.AssertProblem(400))["errors"]![field]);

        var me = await (await Client.Get("/api/v1/users/me", Token(registered))).AssertStatus(200);
        Assert.Equal("member", me["role"]!.GetValue<string>());
        Assert.Equal("free", me["tier"]!.GetValue<string>());
        Assert.Equal("Test User", me["full_name"]!.GetValue<string>());
        Assert.Equal(registered["user"]!["id"]!.GetValue<string>(), me["id"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("{\"date_of_birth\": \"YEAR-06-01\"}", "date_of_birth")]
    [InlineData("{\"date_of_birth\": \"2999-01-01\"}", "date_of_birth")]
    [InlineData("{\"date_of_birth\": \"01/02/1990\"}", "date_of_birth")]
    [InlineData("{\"gender\": \"robot\"}", "gender")]
    [InlineData("{\"linkedin_url\": \"https://evil.example/in/me\"}", "linkedin_url")]
    [InlineData("{\"profile_image_url\": \"javascript:alert(1)\"}", "profile_image_url")]
    [InlineData("{\"identity_badge\": \"Overlord\"}", "identity_badge")]
    [InlineData("{\"bio\": 42}", "bio")]
    [InlineData("{\"interests\": \"not-a-list\"}", "interests")]
    public async Task Invalid_profile_values_are_refused(string body, string field)
    {
        var registered = await fx.RegisterAsync();
        var thirteenYearsAgo = DateTime.UtcNow.Year - 12;
        var response = await Client.SendJson(
            HttpMethod.Patch,
            "/api/v1/users/me",
            body.Replace("YEAR", thirteenYearsAgo.ToString()),
            Token(registered)
        );
        Assert.NotNull((await response.AssertProblem(400))["errors"]![field]);
    }

    [Fact]
    public async Task At_most_twenty_interests()
    {
        var registered = await fx.RegisterAsync();
        var tooMany = Enumerable.Range(0, 21).Select(i => $"tag{i}").ToArray();
        var response = await Client.SendJson(
            HttpMethod.Patch,
            "/api/v1/users/me",
            new { interests = tooMany },
            Token(registered)
        );
        Assert.NotNull((await response.AssertProblem(400))["errors"]!["interests"]);
        var twenty = await Client.SendJson(
            HttpMethod.Patch,
            "/api/v1/users/me",
            new { interests = tooMany[..20] },
            Token(registered)
        );
        Assert.Equal(20, (await twenty.AssertStatus(200))["interests"]!.AsArray().Count);
    }

    [Fact]
    public async Task Public_profiles_hide_contact_details()
    {
        var alice = await fx.RegisterAsync();
        var bob = await fx.RegisterAsync();
        var profile = await (await Client.Get($"/api/v1/users/{alice["user"]!["id"]}", Token(bob))).AssertStatus(200);
        Assert.Equal(alice["user"]!["username"]!.GetValue<string>(), profile["username"]!.GetValue<string>());
        Assert.Null(profile["email"]);
        Assert.Null(profile["phone"]);
        Assert.Null(profile["date_of_birth"]);
        Assert.Null(profile["referral_code"]);

        await (await Client.Get($"/api/v1/users/{Guid.NewGuid()}", Token(bob))).AssertProblem(404);
        await (await Client.Get($"/api/v1/users/{alice["user"]!["id"]}")).AssertProblem(401);
    }

    [Fact]
    public async Task A_public_profiles_etag_changes_with_what_it_shows_and_not_with_private_changes()
    {
        var alice = await fx.RegisterAsync();
        var bob = await fx.RegisterAsync();
        var url = $"/api/v1/users/{alice["user"]!["id"]}";
        async Task<string> TagAsync() => (await Client.Get(url, Token(bob))).Headers.ETag!.Tag.ToString();
        var before = await TagAsync();
        Assert.Equal(before, await TagAsync());

        // A new password changes the account's row, not what Bob is shown.
        var changed = await (
            await Client.PostJson(
                "/api/v1/users/me/password",
                new { current_password = "correct-horse-9", new_password = "another-horse-8" },
                Token(alice)
            )
        ).AssertStatus(200);
        Assert.Equal(before, await TagAsync());

        // A new bio does.
        await (
            await Client.SendJson(HttpMethod.Patch, "/api/v1/users/me", new { bio = "Runner" }, Token(changed))
        ).AssertStatus(200);
        Assert.NotEqual(before, await TagAsync());
    }

    [Fact]
    public async Task Deleting_the_account_takes_its_password_and_a_token_alone_cannot_guess_it()
    {
        var registered = await fx.RegisterAsync();
        var id = registered["user"]!["id"]!.GetValue<string>();
        async Task<HttpResponseMessage> DeleteAsync(object? body) =>
            await Client.SendJson(HttpMethod.Delete, "/api/v1/users/me", body, Token(registered));

        var missing = await (await DeleteAsync(null)).AssertProblem(400);
        var empty = await (await DeleteAsync(new { password = "" })).AssertProblem(400);
        Assert.NotNull(empty["errors"]!["password"]);
        var wrong = await (await DeleteAsync(new { password = "not-the-password" })).AssertProblem(400);
        Assert.Contains("password is wrong", wrong["errors"]!["password"]![0]!.GetValue<string>());
        Assert.NotNull(missing["request_id"]);
        await (await Client.Get("/api/v1/users/me", Token(registered))).AssertStatus(200);
        Assert.Equal(0L, await UserDeletedEventsAsync(id));

        // Ten wrong passwords (nine more) and the account waits, even for the right one: a stolen token cannot
        // try passwords until one deletes the account.
        for (var i = 0; i < 9; i++)
            await (await DeleteAsync(new { password = $"guess-{i}" })).AssertProblem(400);
        var limited = await DeleteAsync(new { password = "correct-horse-9" });
        await limited.AssertProblem(429);
        Assert.NotNull(limited.Headers.RetryAfter);
        await (await Client.Get("/api/v1/users/me", Token(registered))).AssertStatus(200);
        Assert.Equal(0L, await UserDeletedEventsAsync(id));
    }

    [Fact]
    public async Task Deleting_with_the_right_password_after_a_wrong_one_deletes()
    {
        var registered = await fx.RegisterAsync();
        var id = registered["user"]!["id"]!.GetValue<string>();
        await (await Client.DeleteAccount(Token(registered), "nope-nope")).AssertProblem(400);
        await (await Client.DeleteAccount(Token(registered))).AssertStatus(204);
        Assert.Equal(1L, await UserDeletedEventsAsync(id));
    }

    [Fact]
    public async Task Deleting_an_account_with_two_factor_on_takes_a_code_too()
    {
        var registered = await fx.RegisterAsync();
        var id = registered["user"]!["id"]!.GetValue<string>();
        var enrolment = await fx.TurnOnTwoFactorAsync(Token(registered));
        async Task<HttpResponseMessage> DeleteAsync(object body) =>
            await Client.SendJson(HttpMethod.Delete, "/api/v1/users/me", body, Token(registered));

        // Not the password alone, as for turning two-factor sign-in off: a stolen token and a phished password are
        // not enough.
        var missing = await (await DeleteAsync(new { password = "correct-horse-9" })).AssertProblem(400);
        Assert.Contains("code is required", missing["errors"]!["code"]![0]!.GetValue<string>());
        var wrong = await (await DeleteAsync(new { password = "correct-horse-9", code = "000000" })).AssertProblem(400);
        Assert.Contains("code is wrong", wrong["errors"]!["code"]![0]!.GetValue<string>());
        await (await Client.Get("/api/v1/users/me", Token(registered))).AssertStatus(200);
        Assert.Equal(0L, await UserDeletedEventsAsync(id));
        // The wrong code counts against the account as a wrong password does; the missing one does not.
        Assert.Equal(1, await fx.TwoFactorFailuresAsync(id));

        await (await DeleteAsync(new { password = "correct-horse-9", code = enrolment.RecoveryCodes[0] })).AssertStatus(
            204
        );
        Assert.Equal(1L, await UserDeletedEventsAsync(id));
    }

    [Fact]
    public async Task Without_two_factor_the_password_alone_deletes_and_a_code_sent_anyway_is_not_looked_at()
    {
        var alone = await fx.RegisterAsync();
        await (await Client.DeleteAccount(Token(alone))).AssertStatus(204);
        Assert.Equal(1L, await UserDeletedEventsAsync(alone["user"]!["id"]!.GetValue<string>()));

        var withCode = await fx.RegisterAsync();
        await (
            await Client.SendJson(
                HttpMethod.Delete,
                "/api/v1/users/me",
                new { password = "correct-horse-9", code = "000000" },
                Token(withCode)
            )
        ).AssertStatus(204);
        Assert.Equal(1L, await UserDeletedEventsAsync(withCode["user"]!["id"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Two_deletions_of_one_account_at_once_delete_it_once_and_the_second_finds_it_gone()
    {
        var registered = await fx.RegisterAsync();
        var id = registered["user"]!["id"]!.GetValue<string>();
        var answers = await Task.WhenAll(
            Client.DeleteAccount(Token(registered)),
            Client.DeleteAccount(Token(registered))
        );
        var statuses = answers.Select(a => a.StatusCode).Order().ToArray();
        Assert.Equal(HttpStatusCode.NoContent, statuses[0]);
        // gone: its row (404), or its sessions already (401) when the second came after the first's commit
        Assert.Contains(statuses[1], new[] { HttpStatusCode.NotFound, HttpStatusCode.Unauthorized });
        Assert.Equal(1L, await UserDeletedEventsAsync(id));
    }

    [Fact]
    public async Task Deleting_the_account_erases_the_limits_counted_under_its_id_and_its_address()
    {
        var registered = await fx.RegisterAsync();
        var id = registered["user"]!["id"]!.GetValue<string>();
        var email = registered["user"]!["username"]!.GetValue<string>() + "@example.com";
        // Besides its registration's: a wrong password, a reset mail, a wrong password to delete it.
        await (
            await Client.PostJson("/api/v1/auth/login", new { identifier = email, password = "wrong-password-1" })
        ).AssertProblem(401);
        await (await Client.PostJson("/api/v1/auth/password/forgot", new { identifier = email })).AssertStatus(202);
        await fx.MailSentAsync(); // counted by the mail queue, after the answer
        await (await Client.DeleteAccount(Token(registered), "nope-nope")).AssertProblem(400);
        Assert.True(await CountersNamingAsync(id, email) >= 4);

        await (await Client.DeleteAccount(Token(registered))).AssertStatus(204);
        Assert.Equal(0L, await CountersNamingAsync(id, email));
    }

    /// <summary>
    /// The account's deletion erases the counters naming its proven address while a stranger's mail to that address is
    /// being counted: the deletion waits for the count (which holds its client address's counter, then takes the
    /// address's), and both go through; neither is aborted as a deadlock.
    /// </summary>
    [Fact]
    public async Task Deleting_the_account_while_a_mail_to_its_address_is_counted_waits_for_it()
    {
        var registered = await fx.RegisterAsync();
        var id = Guid.Parse(registered["user"]!["id"]!.GetValue<string>());
        var email = await fx.ScalarAsync<string>("SELECT email FROM users WHERE id = @id", ("id", id));
        var key = "confirm-mail:" + email;
        // The address's counter first in the table (its registration's mail counted there), then the stranger's.
        await DeletingWhileCountedAsync(registered, id, email!, key + "|ip:203.0.113.9", key);
    }

    /// <summary>
    /// A spare reset mail counts under the account's id twice, per network and in all: the deletion erases both.
    /// </summary>
    [Fact]
    public async Task Deleting_the_account_erases_its_spare_reset_mails_counted_per_network()
    {
        var registered = await fx.RegisterAsync();
        var id = registered["user"]!["id"]!.GetValue<string>();
        var email = registered["user"]!["username"]!.GetValue<string>() + "@example.com";
        // Five from each of four addresses spend the account's twenty mails; a fifth address's first is a spare.
        for (var a = 0; a < 5; a++)
        for (var i = 0; i < (a < 4 ? 5 : 1); i++)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/auth/password/forgot")
            {
                Content = JsonContent.Create(new { identifier = email }),
            };
            request.Headers.Add("X-Forwarded-For", $"203.0.113.{30 + a}");
            await (await Client.SendAsync(request)).AssertStatus(202);
        }
        await fx.MailSentAsync(); // counted by the mail queue, after the answer
        foreach (var spare in new[] { $"reset-mail-spare:{id}", $"reset-mail-spare:{id}|net:203.0.113.0/24" })
            Assert.Equal(
                1L,
                await fx.ScalarAsync<long>("SELECT failures FROM login_failures WHERE key = @k", ("k", spare))
            );

        await (await Client.DeleteAccount(Token(registered))).AssertStatus(204);
        Assert.Equal(0L, await CountersNamingAsync(id, email));
    }

    /// <summary>
    /// The account's deletion erases its spare mails' counters while a stranger's spare is being counted: the deletion
    /// waits for the count (which holds its network's share, then takes the spares), and both go through; neither is
    /// aborted as a deadlock.
    /// </summary>
    [Fact]
    public async Task Deleting_the_account_while_a_spare_mail_to_it_is_counted_waits_for_it()
    {
        var registered = await fx.RegisterAsync();
        var id = Guid.Parse(registered["user"]!["id"]!.GetValue<string>());
        var email = await fx.ScalarAsync<string>("SELECT email FROM users WHERE id = @id", ("id", id));
        var spare = "reset-mail-spare:" + id;
        await DeletingWhileCountedAsync(registered, id, email!, spare + "|net:203.0.113.0/24", spare);
    }

    /// <summary>
    /// Deletes the account while a stranger's transaction has counted under <paramref name="first"/> and goes on to
    /// <paramref name="then"/>, as a request counts them: the deletion waits for the count and both go through.
    /// </summary>
    private async Task DeletingWhileCountedAsync(JsonNode registered, Guid id, string email, string first, string then)
    {
        foreach (var counter in new[] { then, first })
            await fx.ExecuteAsync(
                "INSERT INTO login_failures (key, window_started_at, failures) VALUES (@k, now(), 1) "
                    + "ON CONFLICT DO NOTHING",
                ("k", counter)
            );
        await using var stranger = new NpgsqlConnection(fx.Resources.DatabaseConnectionString);
        await stranger.OpenAsync();
        await using var counting = await stranger.BeginTransactionAsync();
        await CountAsync(first);

        var deleting = Client.DeleteAccount(Token(registered));
        await fx.WaitingOnALockAsync("%login_failures%", 1, "the deletion never waited for the count");
        await CountAsync(then);
        await counting.CommitAsync();

        await (await deleting).AssertStatus(204);
        Assert.Equal(0L, await CountersNamingAsync(id.ToString(), email));

        async Task CountAsync(string counter)
        {
            await using var count = new NpgsqlCommand(
                "SET LOCAL lock_timeout = '10s'; UPDATE login_failures SET failures = failures + 1 WHERE key = @k",
                stranger,
                counting
            );
            count.Parameters.AddWithValue("k", counter);
            await count.ExecuteNonQueryAsync();
        }
    }

    private Task<long> CountersNamingAsync(string id, string email) =>
        fx.ScalarAsync<long>(
            "SELECT count(*) FROM login_failures WHERE strpos(key, @id) > 0 OR strpos(key, @email) > 0",
            ("id", id),
            ("email", email)
        );

    private Task<long> UserDeletedEventsAsync(string id) =>
        fx.ScalarAsync<long>(
            "SELECT count(*) FROM outbox_messages WHERE type LIKE '%UserDeleted,%' AND payload->>'userId' = @id",
            ("id", id)
        );

    [Fact]
    public async Task Deleting_the_account_takes_its_proven_address_off_the_waitlist_and_no_other()
    {
        var registered = await fx.RegisterAsync();
        var email = registered["user"]!["email"]!.GetValue<string>();
        var other = $"other_{Guid.NewGuid():N}@example.com";
        foreach (var address in new[] { email, other })
            await fx.ExecuteAsync(
                "INSERT INTO waitlist_entries (email, created_at) VALUES (@email, now())",
                ("email", address)
            );

        Assert.Equal(HttpStatusCode.NoContent, (await Client.DeleteAccount(Token(registered))).StatusCode);

        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>("SELECT count(*) FROM waitlist_entries WHERE email = @e", ("e", email))
        );
        Assert.Equal(
            1L,
            await fx.ScalarAsync<long>("SELECT count(*) FROM waitlist_entries WHERE email = @e", ("e", other))
        );
    }

    [Fact]
    public async Task Deleting_the_account_erases_the_details_its_sent_events_carried_from_the_outbox()
    {
        var registered = await fx.RegisterAsync();
        var id = registered["user"]!["id"]!.GetValue<string>();
        await (
            await Client.SendJson(
                HttpMethod.Patch,
                "/api/v1/users/me",
                "{\"bio\": \"Night nurse, Ward 7\"}",
                Token(registered)
            )
        ).AssertStatus(200);
        var other = await fx.RegisterAsync();
        const string Sent =
            "SELECT count(*) FROM outbox_messages WHERE payload->>'userId' = @id AND published_at IS NOT NULL "
            + "AND (type LIKE '%UserRegistered,%' OR type LIKE '%UserProfileUpdated,%')";
        await Eventually.TrueAsync(
            async () =>
                await fx.ScalarAsync<long>(Sent, ("id", id)) >= 2
                && await fx.ScalarAsync<long>(
                    "SELECT count(*) FROM outbox_messages WHERE payload->>'userId' = @id AND published_at IS NULL",
                    ("id", id)
                ) == 0,
            "the account's events were not sent"
        );

        Assert.Equal(HttpStatusCode.NoContent, (await Client.DeleteAccount(Token(registered))).StatusCode);

        Assert.Equal(0L, await fx.ScalarAsync<long>(Sent, ("id", id)));
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>("SELECT count(*) FROM outbox_messages WHERE payload::text LIKE '%Night nurse%'")
        );
        // Another account's events stay, and the deletion itself is sent.
        Assert.Equal(
            1L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM outbox_messages WHERE payload->>'userId' = @id AND type LIKE '%UserRegistered,%'",
                ("id", other["user"]!["id"]!.GetValue<string>())
            )
        );
        Assert.Equal(1L, await UserDeletedEventsAsync(id));
    }

    [Fact]
    public async Task Deleting_the_account_removes_it_and_publishes_user_deleted()
    {
        var registered = await fx.RegisterAsync("leaving_user");
        var id = registered["user"]!["id"]!.GetValue<string>();
        Assert.Equal(HttpStatusCode.NoContent, (await Client.DeleteAccount(Token(registered))).StatusCode);

        await (
            await Client.PostJson(
                "/api/v1/auth/login",
                new { identifier = "leaving_user", password = "correct-horse-9" }
            )
        ).AssertProblem(401);
        await (
            await Client.PostJson(
                "/api/v1/auth/refresh",
                new { refresh_token = registered["refresh_token"]!.GetValue<string>() }
            )
        ).AssertProblem(401);
        // The deleted user's token ends with the account (it was a 404 while the token still passed).
        await Eventually.TrueAsync(
            async () =>
                (await Client.Get("/api/v1/users/me", Token(registered))).StatusCode == HttpStatusCode.Unauthorized,
            "a deleted user's token still passes",
            TimeSpan.FromSeconds(15)
        );
        Assert.Contains(
            "session has ended",
            (await (await Client.Get("/api/v1/users/me", Token(registered))).AssertProblem(401))[
                "detail"
            ]!.GetValue<string>()
        );
        Assert.Equal(1L, await UserDeletedEventsAsync(id));
        // The username is free again.
        await fx.RegisterAsync("leaving_user");
    }
}
