using Community.Identity.Auth;
using Community.Identity.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Community.Identity.Tests;

/// <summary>
/// What was read before a lock never outruns what changed meanwhile: a login's tokens carry the account as it is when
/// they are made, and a family revoked while it rotates loses the token the rotation made.
/// </summary>
public sealed class TokenRacesTests(IdentityFixture fx) : IClassFixture<IdentityFixture>
{
    [Fact]
    public async Task Tokens_are_made_from_the_account_as_it_is_then_not_as_it_was_read()
    {
        var id = Guid.Parse((await fx.RegisterAsync())["user"]!["id"]!.GetValue<string>());
        await using var scope = fx.Host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityDbContext>();
        var tokens = scope.ServiceProvider.GetRequiredService<TokenIssuer>();
        var read = await db.Users.AsNoTracking().FirstAsync(u => u.Id == id);

        // Meanwhile an admin makes them an organizer, and a reset changes their password.
        await fx.ExecuteAsync("UPDATE users SET role = 'organizer' WHERE id = @id", ("id", id));
        var pair = await tokens.IssueAsync(db, read, null, CancellationToken.None);
        Assert.Equal("organizer", TestTokens.Payload(pair.AccessToken)["role"]!.GetValue<string>());

        await fx.ExecuteAsync("UPDATE users SET password_hash = 'changed' WHERE id = @id", ("id", id));
        await Assert.ThrowsAsync<Community.ServiceDefaults.Errors.UnauthorizedException>(() =>
            tokens.IssueAsync(db, read, null, CancellationToken.None, passwordHashChecked: read.PasswordHash)
        );
    }

    [Fact]
    public async Task A_logout_while_the_session_rotates_revokes_the_token_the_rotation_made()
    {
        for (var round = 0; round < 10; round++)
        {
            var registered = await fx.RegisterAsync();
            var access = registered["access_token"]!.GetValue<string>();
            var refresh = registered["refresh_token"]!.GetValue<string>();
            var answers = await Task.WhenAll(
                fx.Client.PostJson("/api/v1/auth/refresh", new { refresh_token = refresh }),
                fx.Client.PostJson("/api/v1/auth/logout", new { }, access)
            );
            await answers[1].AssertStatus(204);
            if (answers[0].StatusCode != HttpStatusCode.OK)
                continue;
            var rotated = (await answers[0].AssertStatus(200))["refresh_token"]!.GetValue<string>();
            await (await fx.Client.PostJson("/api/v1/auth/refresh", new { refresh_token = rotated })).AssertProblem(
                401
            );
        }
    }

    [Fact]
    public async Task Signing_out_everywhere_else_while_another_session_rotates_revokes_the_token_the_rotation_made()
    {
        for (var round = 0; round < 10; round++)
        {
            var registered = await fx.RegisterAsync();
            var username = registered["user"]!["username"]!.GetValue<string>();
            var other = await (
                await fx.Client.PostJson(
                    "/api/v1/auth/login",
                    new { identifier = username, password = "correct-horse-9" }
                )
            ).AssertStatus(200);
            var answers = await Task.WhenAll(
                fx.Client.PostJson(
                    "/api/v1/auth/refresh",
                    new { refresh_token = other["refresh_token"]!.GetValue<string>() }
                ),
                fx.Client.PostJson(
                    "/api/v1/auth/logout/others",
                    new { },
                    registered["access_token"]!.GetValue<string>()
                )
            );
            Assert.Equal(1, (await answers[1].AssertStatus(200))["sessions_ended"]!.GetValue<int>());
            // After the sign-out: refused, as a revoked token is.
            if (answers[0].StatusCode != HttpStatusCode.OK)
            {
                await answers[0].AssertProblem(401);
                continue;
            }
            var rotated = (await answers[0].AssertStatus(200))["refresh_token"]!.GetValue<string>();
            await (await fx.Client.PostJson("/api/v1/auth/refresh", new { refresh_token = rotated })).AssertProblem(
                401
            );
        }
    }

    [Fact]
    public async Task Signing_out_everywhere_else_while_the_password_changes_waits_for_it_rather_than_deadlocking()
    {
        for (var round = 0; round < 5; round++)
        {
            var registered = await fx.RegisterAsync();
            var username = registered["user"]!["username"]!.GetValue<string>();
            var sessions = new List<string>();
            for (var i = 0; i < 3; i++)
                sessions.Add(await fx.LoginAsync(username, "correct-horse-9"));
            var answers = await Task.WhenAll(
                fx.Client.PostJson(
                    "/api/v1/users/me/password",
                    new { current_password = "correct-horse-9", new_password = "brand-new-pass-7" },
                    registered["access_token"]!.GetValue<string>()
                ),
                fx.Client.PostJson("/api/v1/auth/logout/others", new { }, sessions[0])
            );
            // Each ends the other's session: the one that comes second may be refused for that, after the first is
            // done, but neither waits on the other in turn (a deadlock's 503).
            var done = 0;
            foreach (var answer in answers)
                if (answer.StatusCode == HttpStatusCode.Unauthorized)
                    Assert.Contains(
                        "session has ended",
                        (await answer.AssertProblem(401))["detail"]!.GetValue<string>()
                    );
                else
                {
                    await answer.AssertStatus(200);
                    done++;
                }
            Assert.True(done > 0, "both were refused");
        }
    }

    // A sign-in waiting on the account's lock while the account is deleted: its password was right for the account as
    // read, but there is no account now (401, not the 500 of recording a sign-in for a user that no longer exists).
    [Fact]
    public async Task An_account_deleted_while_its_logout_is_under_way_waits_for_it_rather_than_deadlocking()
    {
        var registered = await fx.RegisterAsync();
        var id = Guid.Parse(registered["user"]!["id"]!.GetValue<string>());
        var access = registered["access_token"]!.GetValue<string>();
        await using var connection = new Npgsql.NpgsqlConnection(fx.Resources.DatabaseConnectionString);
        await connection.OpenAsync();
        await using var logout = await connection.BeginTransactionAsync();
        // A logout's order: its family's tokens revoked, then the revocation feed's lock.
        await using (
            var revoke = new Npgsql.NpgsqlCommand(
                "UPDATE refresh_tokens SET revoked_at = now() WHERE user_id = @id",
                connection,
                logout
            )
        )
        {
            revoke.Parameters.AddWithValue("id", id);
            await revoke.ExecuteNonQueryAsync();
        }
        var deletion = fx.Client.SendJson(
            HttpMethod.Delete,
            "/api/v1/users/me",
            new { password = "correct-horse-9" },
            access
        );
        await fx.SomeoneWaitsOnALockAsync("the deletion never waited for the logout's tokens");
        await using (
            var feed = new Npgsql.NpgsqlCommand(
                "LOCK TABLE session_revocations IN SHARE ROW EXCLUSIVE MODE",
                connection,
                logout
            )
        )
            await feed.ExecuteNonQueryAsync();
        await logout.CommitAsync();

        await (await deletion).AssertStatus(204);
        Assert.Equal(0L, await fx.ScalarAsync<long>("SELECT count(*) FROM users WHERE id = @id", ("id", id)));
    }

    [Fact]
    public async Task Logouts_of_one_session_at_once_end_it_once()
    {
        var registered = await fx.RegisterAsync();
        var access = registered["access_token"]!.GetValue<string>();
        var session = Guid.Parse(TestTokens.Payload(access)["sid"]!.GetValue<string>());

        var answers = await Task.WhenAll(
            Enumerable.Range(0, 6).Select(_ => fx.Client.PostJson("/api/v1/auth/logout", new { }, access))
        );

        Assert.All(answers, a => Assert.Contains((int)a.StatusCode, new[] { 204, 401 }));
        Assert.Equal(
            1L,
            await fx.ScalarAsync<long>("SELECT count(*) FROM session_revocations WHERE session_id = @s", ("s", session))
        );
    }

    [Fact]
    public async Task A_sign_in_while_the_account_is_deleted_is_refused_not_an_error()
    {
        var username = "gone_" + Guid.NewGuid().ToString("N")[..8];
        var id = Guid.Parse((await fx.RegisterAsync(username))["user"]!["id"]!.GetValue<string>());

        var response = await fx.CommitsWhileWaitedOnAsync(
            "SELECT pg_advisory_xact_lock(hashtextextended(@key, 0)); DELETE FROM users WHERE id = @id",
            () => fx.Client.PostJson("/api/v1/auth/login", new { identifier = username, password = "correct-horse-9" }),
            "the sign-in never waited for the account's lock",
            ("key", ThrottleCounters.AccountLockKey(id)),
            ("id", id)
        );

        await response.AssertProblem(401);
        Assert.Equal(0L, await fx.ScalarAsync<long>("SELECT count(*) FROM users WHERE id = @id", ("id", id)));
    }
}
