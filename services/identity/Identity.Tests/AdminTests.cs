namespace Community.Identity.Tests;

public sealed class AdminTests(IdentityFixture fx) : IClassFixture<IdentityFixture>
{
    private HttpClient Client => fx.Client;

    [Fact]
    public async Task The_configured_admin_exists_and_can_change_roles()
    {
        var adminToken = await fx.LoginAsync(IdentityFixture.AdminUsername, fx.AdminPassword);
        Assert.Equal("admin", TestTokens.Payload(adminToken)["role"]!.GetValue<string>());

        var member = await fx.RegisterAsync();
        var memberId = member["user"]!["id"]!.GetValue<string>();
        var changed = await (
            await Client.SendJson(
                HttpMethod.Put,
                $"/api/v1/users/{memberId}/role",
                new { role = "organizer" },
                adminToken
            )
        ).AssertStatus(200);
        Assert.Equal("organizer", changed["role"]!.GetValue<string>());

        // The next token carries the new role.
        var refreshed = await (
            await Client.PostJson(
                "/api/v1/auth/refresh",
                new { refresh_token = member["refresh_token"]!.GetValue<string>() }
            )
        ).AssertStatus(200);
        Assert.Equal(
            "organizer",
            TestTokens.Payload(refreshed["access_token"]!.GetValue<string>())["role"]!.GetValue<string>()
        );
        Assert.Equal(
            1L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM outbox_messages WHERE type LIKE '%UserRoleChanged,%' "
                    + "AND payload->>'userId' = @id AND payload->>'newRole' = 'organizer'",
                ("id", memberId)
            )
        );
    }

    [Fact]
    public async Task A_role_change_honours_if_match_on_the_accounts_etag()
    {
        var adminToken = await fx.LoginAsync(IdentityFixture.AdminUsername, fx.AdminPassword);
        var memberId = (await fx.RegisterAsync())["user"]!["id"]!.GetValue<string>();
        await EntityTags.AssertIfMatchHonouredAsync(
            Client,
            $"/api/v1/users/{memberId}",
            HttpMethod.Put,
            $"/api/v1/users/{memberId}/role",
            "{\"role\": \"organizer\"}",
            adminToken,
            otherBody: "{\"role\": \"member\"}"
        );
    }

    [Fact]
    public async Task Members_and_organizers_cannot_change_roles()
    {
        var organizer = await fx.RegisterAsync(role: "organizer");
        var target = await fx.RegisterAsync();
        var url = $"/api/v1/users/{target["user"]!["id"]}/role";
        await (
            await Client.SendJson(
                HttpMethod.Put,
                url,
                new { role = "admin" },
                organizer["access_token"]!.GetValue<string>()
            )
        ).AssertProblem(403);
        await (
            await Client.SendJson(
                HttpMethod.Put,
                url,
                new { role = "admin" },
                target["access_token"]!.GetValue<string>()
            )
        ).AssertProblem(403);
        await (await Client.SendJson(HttpMethod.Put, url, new { role = "admin" })).AssertProblem(401);
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM users WHERE role = 'admin' AND username <> @a",
                ("a", IdentityFixture.AdminUsername)
            )
        );
    }

    [Fact]
    public async Task Bad_role_changes_are_refused()
    {
        var adminToken = await fx.LoginAsync(IdentityFixture.AdminUsername, fx.AdminPassword);
        var target = await fx.RegisterAsync();
        await (
            await Client.SendJson(
                HttpMethod.Put,
                $"/api/v1/users/{target["user"]!["id"]}/role",
                new { role = "emperor" },
                adminToken
            )
        ).AssertProblem(400);
        await (
            await Client.SendJson(
                HttpMethod.Put,
                $"/api/v1/users/{Guid.NewGuid()}/role",
                new { role = "member" },
                adminToken
            )
        ).AssertProblem(404);
    }

    [Fact]
    public async Task Registering_a_configured_admin_username_first_does_not_make_you_admin()
    {
        var squatter = await fx.RegisterAsync("future_admin");
        // The operator later configures an admin named future_admin with their own e-mail; identity restarts.
        await using var restarted = fx.StartHost(
            new Dictionary<string, string?>
            {
                ["Identity:Admins:1:Username"] = "future_admin",
                ["Identity:Admins:1:Email"] = "ops@community.test",
                ["Identity:Admins:1:Password"] = "Adm1n-" + Guid.NewGuid().ToString("N"),
            }
        );
        Assert.Equal("member", await fx.ScalarAsync<string>("SELECT role FROM users WHERE username = 'future_admin'"));
        Assert.Equal(
            squatter["user"]!["id"]!.GetValue<string>(),
            (await fx.ScalarAsync<Guid>("SELECT id FROM users WHERE username = 'future_admin'")).ToString()
        );
    }

    [Fact]
    public async Task Registering_a_configured_admin_username_with_its_email_unconfirmed_does_not_make_you_admin()
    {
        // Anyone can type the operator's address; without the link it proves nothing.
        await (
            await Client.PostJson(
                "/api/v1/auth/register",
                new
                {
                    username = "typed_admin",
                    email = "ops2@community.test",
                    password = "long-enough-1",
                }
            )
        ).AssertStatus(201);
        await using var restarted = fx.StartHost(
            new Dictionary<string, string?>
            {
                ["Identity:Admins:1:Username"] = "typed_admin",
                ["Identity:Admins:1:Email"] = "ops2@community.test",
            }
        );
        Assert.Equal("member", await fx.ScalarAsync<string>("SELECT role FROM users WHERE username = 'typed_admin'"));
    }

    [Fact]
    public async Task An_account_registered_first_under_a_seeded_admins_name_is_promoted_only_with_its_password()
    {
        // Someone registers the admin's name and address before the first start, and the address gets confirmed.
        await fx.RegisterAsync("seeded_boss");
        var settings = new Dictionary<string, string?>
        {
            ["Identity:Admins:1:Username"] = "seeded_boss",
            ["Identity:Admins:1:Email"] = "seeded_boss@example.com",
            ["Identity:Admins:1:Password"] = "operators-own-secret-9",
        };
        await using (var restarted = fx.StartHost(settings))
            Assert.Equal(
                "member",
                await fx.ScalarAsync<string>("SELECT role FROM users WHERE username = 'seeded_boss'")
            );
        // The operator's own account, holding the configured password, is.
        settings["Identity:Admins:1:Password"] = "correct-horse-9";
        await using (var again = fx.StartHost(settings))
            Assert.Equal(
                "admin",
                await fx.ScalarAsync<string>("SELECT role FROM users WHERE username = 'seeded_boss'")
            );
    }

    [Fact]
    public async Task A_configured_admin_whose_email_matches_is_promoted_and_the_change_published()
    {
        var existing = await fx.RegisterAsync("promote_me");
        await using var restarted = fx.StartHost(
            new Dictionary<string, string?>
            {
                ["Identity:Admins:1:Username"] = "promote_me",
                ["Identity:Admins:1:Email"] = "Promote_Me@Example.com",
            }
        );
        Assert.Equal("admin", await fx.ScalarAsync<string>("SELECT role FROM users WHERE username = 'promote_me'"));
        Assert.Equal(
            1L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM outbox_messages WHERE type LIKE '%UserRoleChanged,%' "
                    + "AND payload->>'userId' = @id AND payload->>'newRole' = 'admin'",
                ("id", existing["user"]!["id"]!.GetValue<string>())
            )
        );
    }
}
