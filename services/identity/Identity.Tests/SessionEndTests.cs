using System.Text.RegularExpressions;
using Community.ServiceDefaults.Auth;

namespace Community.Identity.Tests;

/// <summary>Identity with its revocation feed turned on (a feed key), as AppHost and production run it.</summary>
public sealed class SessionEndFixture : IdentityFixture
{
    public readonly string FeedKey = Guid.NewGuid().ToString("N");

    protected override void ConfigureService(IDictionary<string, string?> settings)
    {
        base.ConfigureService(settings);
        settings[$"{RevocationFeedOptions.Section}:FeedKey"] = FeedKey;
    }
}

/// <summary>An access token stops working, at identity itself, as soon as its session ends.</summary>
public sealed partial class SessionEndTests(SessionEndFixture fx) : IClassFixture<SessionEndFixture>
{
    private HttpClient Client => fx.Client;

    [GeneratedRegex(@"Reset token: (\S+)")]
    private static partial Regex TokenLine();

    private static string Access(JsonNode pair) => pair["access_token"]!.GetValue<string>();

    /// <summary>Whether identity refuses the token because its session ended (not for any other reason).</summary>
    private async Task<bool> EndedAsync(string token)
    {
        var response = await Client.Get("/api/v1/auth/me", token);
        if (response.StatusCode != HttpStatusCode.Unauthorized)
            return false;
        var problem = await response.AssertProblem(401);
        return problem["detail"]!.GetValue<string>().Contains("session has ended");
    }

    private Task WaitUntilEndedAsync(string token, string what) =>
        Eventually.TrueAsync(() => EndedAsync(token), what, TimeSpan.FromSeconds(15));

    private Task<HttpResponseMessage> RefreshAsync(JsonNode signedIn) =>
        Client.PostJson("/api/v1/auth/refresh", new { refresh_token = signedIn["refresh_token"]!.GetValue<string>() });

    private Task<HttpResponseMessage> PasswordLoginAsync(string username) =>
        Client.PostJson("/api/v1/auth/login", new { identifier = username, password = "correct-horse-9" });

    [Fact]
    public async Task Logout_ends_that_session_and_no_other()
    {
        var registered = await fx.RegisterAsync();
        var username = registered["user"]!["username"]!.GetValue<string>();
        var other = await fx.LoginAsync(username, "correct-horse-9");
        await (await Client.Get("/api/v1/auth/me", Access(registered))).AssertStatus(200);

        Assert.Equal(
            HttpStatusCode.NoContent,
            (await Client.PostJson("/api/v1/auth/logout", new { }, Access(registered))).StatusCode
        );

        await WaitUntilEndedAsync(Access(registered), "the logged-out token still works");
        await (await Client.Get("/api/v1/auth/me", other)).AssertStatus(200);
    }

    [Fact]
    public async Task Signing_out_everywhere_else_ends_every_other_session_and_keeps_this_one()
    {
        var registered = await fx.RegisterAsync();
        var username = registered["user"]!["username"]!.GetValue<string>();
        var second = await (await PasswordLoginAsync(username)).AssertStatus(200);
        var third = await fx.LoginAsync(username, "correct-horse-9");
        var stranger = await fx.RegisterAsync();

        var answer = await (
            await Client.PostJson("/api/v1/auth/logout/others", new { }, Access(registered))
        ).AssertStatus(200);

        Assert.Equal(2, answer["sessions_ended"]!.GetValue<int>());
        await WaitUntilEndedAsync(Access(second), "a session signed out from elsewhere still works");
        await WaitUntilEndedAsync(third, "a session signed out from elsewhere still works");
        await (await RefreshAsync(second)).AssertProblem(401);
        await (await Client.Get("/api/v1/auth/me", Access(registered))).AssertStatus(200);
        await (await Client.Get("/api/v1/auth/me", Access(stranger))).AssertStatus(200);
        // This session goes on refreshing, and the token that gives works.
        var refreshed = await (await RefreshAsync(registered)).AssertStatus(200);
        await (await Client.Get("/api/v1/auth/me", Access(refreshed))).AssertStatus(200);
        // Asked again, there is nothing more to end, and nothing is added to the feed.
        var again = await (
            await Client.PostJson("/api/v1/auth/logout/others", new { }, Access(refreshed))
        ).AssertStatus(200);
        Assert.Equal(0, again["sessions_ended"]!.GetValue<int>());
        Assert.Equal(
            2L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM session_revocations WHERE user_id = @u AND reason = 'signed_out_elsewhere'",
                ("u", Guid.Parse(registered["user"]!["id"]!.GetValue<string>()))
            )
        );
    }

    [Fact]
    public async Task Turning_two_factor_on_ends_every_other_session_and_keeps_this_one()
    {
        var registered = await fx.RegisterAsync();
        var username = registered["user"]!["username"]!.GetValue<string>();
        // Signed in with the password alone, as whoever stole it would be, before the owner turns two-factor on.
        var other = await (await PasswordLoginAsync(username)).AssertStatus(200);

        await fx.TurnOnTwoFactorAsync(Access(registered));

        await WaitUntilEndedAsync(Access(other), "a session from before two-factor sign-in was on still works");
        await (await RefreshAsync(other)).AssertProblem(401);
        // Ended as signing out everywhere else ends it: its own entry in the revocation feed.
        Assert.Equal(
            1L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM session_revocations WHERE session_id = @s::uuid AND reason = @reason",
                ("s", TestTokens.Payload(Access(other))["sid"]!.GetValue<string>()),
                ("reason", SessionEnding.TwoFactorTurnedOn)
            )
        );
        await (await Client.Get("/api/v1/auth/me", Access(registered))).AssertStatus(200);
        var refreshed = await (await RefreshAsync(registered)).AssertStatus(200);
        await (await Client.Get("/api/v1/auth/me", Access(refreshed))).AssertStatus(200);
        var notice = await fx.Smtp.WaitForAsync($"{username}@example.com", "was turned on");
        Assert.Contains("every other session of the account has ended", notice.Body);
    }

    [Fact]
    public async Task A_session_ended_before_its_end_reached_the_token_check_ends_no_other()
    {
        var registered = await fx.RegisterAsync();
        var username = registered["user"]!["username"]!.GetValue<string>();
        var other = await fx.LoginAsync(username, "correct-horse-9");
        // The caller's sign-in is revoked (a logout, a sign-out from elsewhere) and its token not refused yet.
        var sid = Guid.Parse(TestTokens.Payload(Access(registered))["sid"]!.GetValue<string>());
        await fx.ExecuteAsync("UPDATE refresh_tokens SET revoked_at = now() WHERE family_id = @f", ("f", sid));

        var refused = await (
            await Client.PostJson("/api/v1/auth/logout/others", new { }, Access(registered))
        ).AssertProblem(401);

        Assert.Contains("session has ended", refused["detail"]!.GetValue<string>());
        await (await Client.Get("/api/v1/auth/me", other)).AssertStatus(200);
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM refresh_tokens WHERE user_id = @u AND family_id <> @f AND revoked_at IS NOT NULL",
                ("u", Guid.Parse(registered["user"]!["id"]!.GetValue<string>())),
                ("f", sid)
            )
        );
    }

    [Fact]
    public async Task Signing_out_everywhere_else_from_two_sessions_at_once_ends_the_others_once_then_refuses()
    {
        var registered = await fx.RegisterAsync();
        var username = registered["user"]!["username"]!.GetValue<string>();
        var sessions = new List<string> { Access(registered) };
        for (var i = 0; i < 4; i++)
            sessions.Add(await fx.LoginAsync(username, "correct-horse-9"));

        var answers = await Task.WhenAll(
            sessions.Take(2).Select(token => Client.PostJson("/api/v1/auth/logout/others", new { }, token))
        );

        // They take turns: the first ends the other four sessions, the second's among them, and the second, its own
        // session ended, ends nothing.
        var statuses = answers.Select(a => a.StatusCode).Order().ToArray();
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.Unauthorized], statuses);
        var done = answers.Single(a => a.StatusCode == HttpStatusCode.OK);
        Assert.Equal(4, (await done.AssertStatus(200))["sessions_ended"]!.GetValue<int>());
        var refused = answers.Single(a => a.StatusCode == HttpStatusCode.Unauthorized);
        Assert.Contains("session has ended", (await refused.AssertProblem(401))["detail"]!.GetValue<string>());
        var winner = sessions[Array.IndexOf(answers, done)];
        await (await Client.Get("/api/v1/auth/me", winner)).AssertStatus(200);
        foreach (var token in sessions.Where(t => t != winner))
            await WaitUntilEndedAsync(token, "a session signed out from elsewhere still works");
    }

    [Fact]
    public async Task A_password_reset_ends_every_session_and_a_token_issued_after_it_works()
    {
        var registered = await fx.RegisterAsync();
        var username = registered["user"]!["username"]!.GetValue<string>();
        var other = await fx.LoginAsync(username, "correct-horse-9");
        Assert.Equal(
            HttpStatusCode.Accepted,
            (await Client.PostJson("/api/v1/auth/password/forgot", new { identifier = username })).StatusCode
        );
        var token = TokenLine()
            .Match((await fx.Smtp.WaitForAsync($"{username}@example.com", "Reset token: ")).Body)
            .Groups[1]
            .Value;

        Assert.Equal(
            HttpStatusCode.NoContent,
            (
                await Client.PostJson("/api/v1/auth/password/reset", new { token, new_password = "brand-new-pass-7" })
            ).StatusCode
        );
        // Issued in the same second as the reset, most likely: it must not be taken for one issued before.
        var fresh = await fx.LoginAsync(username, "brand-new-pass-7");

        await WaitUntilEndedAsync(Access(registered), "a token from before the reset still works");
        await WaitUntilEndedAsync(other, "the other session's token still works after the reset");
        await (await Client.Get("/api/v1/auth/me", fresh)).AssertStatus(200);
    }

    [Fact]
    public async Task Deleting_the_account_ends_its_sessions()
    {
        var registered = await fx.RegisterAsync();
        var other = await fx.LoginAsync(registered["user"]!["username"]!.GetValue<string>(), "correct-horse-9");

        Assert.Equal(HttpStatusCode.NoContent, (await Client.DeleteAccount(Access(registered))).StatusCode);

        // Without the revocation these would be 404 "no longer exists": the token itself would still pass.
        await WaitUntilEndedAsync(other, "a deleted user's token still works");
        await WaitUntilEndedAsync(Access(registered), "a deleted user's token still works");
    }

    [Fact]
    public async Task A_role_change_ends_the_tokens_carrying_the_old_role_and_the_next_refresh_carries_the_new_one()
    {
        var organizer = await fx.RegisterAsync(role: "organizer");
        var admin = await fx.LoginAsync(IdentityFixture.AdminUsername, fx.AdminPassword);
        await (
            await Client.SendJson(
                HttpMethod.Put,
                $"/api/v1/users/{organizer["user"]!["id"]}/role",
                new { role = "member" },
                admin
            )
        ).AssertStatus(200);

        await WaitUntilEndedAsync(Access(organizer), "a demoted organizer's token still works");
        var refreshed = await (await RefreshAsync(organizer)).AssertStatus(200);
        Assert.Equal("member", TestTokens.Payload(Access(refreshed))["role"]!.GetValue<string>());
        await (await Client.Get("/api/v1/auth/me", Access(refreshed))).AssertStatus(200);
    }

    [Fact]
    public async Task A_token_issued_after_an_end_does_not_outlive_a_second_end_in_the_same_second()
    {
        var admin = await fx.LoginAsync(IdentityFixture.AdminUsername, fx.AdminPassword);
        // The two ends must land in one second; on a machine too slow for that, the whole sequence is tried again.
        JsonNode? changed = null;
        for (var attempt = 1; changed is null; attempt++)
        {
            var organizer = await fx.RegisterAsync(role: "organizer");
            var id = organizer["user"]!["id"]!.GetValue<string>();

            // A password change ends every session and hands the caller a pair issued after that end, in its second.
            var pair = await (
                await Client.PostJson(
                    "/api/v1/users/me/password",
                    new { current_password = "correct-horse-9", new_password = "brand-new-pass-7" },
                    Access(organizer)
                )
            ).AssertStatus(200);
            var changedAt = await EndedAtAsync(id, SessionEnding.PasswordChanged);

            // The demotion in that same second: the test's clock is set back to just after the second began.
            var shift = StartOfSecond(changedAt) + TimeSpan.FromMilliseconds(100) - fx.Clock.GetUtcNow();
            fx.Clock.Advance(shift);
            try
            {
                await (
                    await Client.SendJson(HttpMethod.Put, $"/api/v1/users/{id}/role", new { role = "member" }, admin)
                ).AssertStatus(200);
            }
            finally
            {
                fx.Clock.Advance(-shift);
            }
            var demotedAt = await EndedAtAsync(id, SessionEnding.RoleChanged);
            if (StartOfSecond(demotedAt) == StartOfSecond(changedAt))
                changed = pair;
            else
                Assert.True(attempt < 3, "three demotions in a row took longer than the rest of their second");
        }

        // The organizer's token from the change carries the organizer's role: the demotion ends it too.
        Assert.Equal("organizer", TestTokens.Payload(Access(changed))["role"]!.GetValue<string>());
        await WaitUntilEndedAsync(Access(changed), "a token issued before the demotion outlived it");
        var refreshed = await (await RefreshAsync(changed)).AssertStatus(200);
        await (await Client.Get("/api/v1/auth/me", Access(refreshed))).AssertStatus(200);
    }

    private async Task<DateTimeOffset> EndedAtAsync(string userId, string reason) =>
        new(
            await fx.ScalarAsync<DateTime>(
                "SELECT occurred_at FROM session_revocations WHERE user_id = @id::uuid AND reason = @reason",
                ("id", userId),
                ("reason", reason)
            ),
            TimeSpan.Zero
        );

    private static DateTimeOffset StartOfSecond(DateTimeOffset instant) =>
        instant.AddTicks(-(instant.UtcTicks % TimeSpan.TicksPerSecond));

    [Fact]
    public async Task Reusing_a_rotated_refresh_token_ends_the_session_it_belongs_to()
    {
        var registered = await fx.RegisterAsync();
        var refresh = registered["refresh_token"]!.GetValue<string>();
        var rotated = await (
            await Client.PostJson("/api/v1/auth/refresh", new { refresh_token = refresh })
        ).AssertStatus(200);
        // Past the window in which a lost answer's retry is taken.
        fx.Clock.Advance(TimeSpan.FromMinutes(1));
        await (await Client.PostJson("/api/v1/auth/refresh", new { refresh_token = refresh })).AssertProblem(401);

        await WaitUntilEndedAsync(Access(rotated), "the leaked family's access token still works");
    }

    [Fact]
    public async Task Replaying_a_rotated_refresh_token_again_ends_its_session_once()
    {
        var registered = await fx.RegisterAsync();
        var refresh = registered["refresh_token"]!.GetValue<string>();
        var session = TestTokens.Payload(Access(registered))["sid"]!.GetValue<string>();
        await (await Client.PostJson("/api/v1/auth/refresh", new { refresh_token = refresh })).AssertStatus(200);
        fx.Clock.Advance(TimeSpan.FromMinutes(1));
        for (var i = 0; i < 3; i++)
            await (await Client.PostJson("/api/v1/auth/refresh", new { refresh_token = refresh })).AssertProblem(401);

        // The first replay revoked the family and ended its session; the others found nothing left to end.
        Assert.Equal(
            1L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM session_revocations WHERE session_id = @session::uuid",
                ("session", session)
            )
        );
        Assert.Equal(
            1L,
            await fx.ScalarAsync<long>(
                "SELECT count(*) FROM outbox_messages WHERE type LIKE '%.SessionEnded,%' "
                    + "AND payload->>'sessionId' = @session",
                ("session", session)
            )
        );
    }

    [Fact]
    public async Task The_internal_feed_serves_revocations_after_a_cursor_to_holders_of_the_key_only()
    {
        var registered = await fx.RegisterAsync();
        var userId = registered["user"]!["id"]!.GetValue<string>();
        var session = TestTokens.Payload(Access(registered))["sid"]!.GetValue<string>();
        await (await Client.PostJson("/api/v1/auth/logout", new { }, Access(registered))).AssertStatus(204);

        await (await Client.Get("/internal/revocations?after=0")).AssertProblem(401);
        await (await FeedAsync(0, "wrong-key")).AssertProblem(401);

        var page = await (await FeedAsync(0, fx.FeedKey)).AssertStatus(200);
        var mine = page["items"]!.AsArray().Single(i => i!["session_id"]?.GetValue<string>() == session)!;
        Assert.Equal(userId, mine["user_id"]!.GetValue<string>());
        Assert.True(mine["tokens_expire_by"]!.GetValue<DateTimeOffset>() > DateTimeOffset.UtcNow.AddMinutes(14));
        var cursor = page["cursor"]!.GetValue<long>();
        Assert.Equal(page["items"]!.AsArray().Max(i => i!["sequence"]!.GetValue<long>()), cursor);
        Assert.DoesNotContain(
            (await (await FeedAsync(cursor, fx.FeedKey)).AssertStatus(200))["items"]!.AsArray(),
            i => i!["session_id"]?.GetValue<string>() == session
        );

        // Once its tokens have expired (plus the skew), a revocation is no longer served.
        fx.Clock.Advance(TimeSpan.FromMinutes(16));
        try
        {
            var later = await (await FeedAsync(0, fx.FeedKey)).AssertStatus(200);
            Assert.DoesNotContain(later["items"]!.AsArray(), i => i!["session_id"]?.GetValue<string>() == session);
        }
        finally
        {
            fx.Clock.Advance(TimeSpan.FromMinutes(-16));
        }
    }

    private async Task<HttpResponseMessage> FeedAsync(long after, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/internal/revocations?after={after}");
        request.Headers.Add(RevocationFeedOptions.KeyHeader, key);
        return await Client.SendAsync(request);
    }
}
