using System.Security.Cryptography;
using Community.ServiceDefaults.Data;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Community.Identity.Tests;

/// <summary>
/// Expired one-time secrets and the refresh tokens of sessions that are over go by a sweep, not by the requests that
/// make new ones, so the tables stay as large as what can still be used.
/// </summary>
public sealed class ExpiredCredentialsTests(IdentityFixture fx) : IClassFixture<IdentityFixture>
{
    private ExpiredCredentials Sweeper => fx.Host.Services.GetRequiredService<ExpiredCredentials>();

    /// <summary>Each table of one-time secrets, with the insert of one row (@hash, @user, @expires).</summary>
    private static readonly (string Table, string Key, string Insert)[] Secrets =
    [
        (
            "external_login_states",
            "state_hash",
            "INSERT INTO external_login_states (state_hash, provider, nonce, code_verifier, client_redirect_uri, "
                + "created_at, expires_at, link_user_id) "
                + "VALUES (@hash, 'example', 'n', 'v', '/', now(), @expires, @user)"
        ),
        (
            "external_login_codes",
            "code_hash",
            "INSERT INTO external_login_codes (code_hash, user_id, created, expires_at) "
                + "VALUES (@hash, @user, false, @expires)"
        ),
        (
            "external_login_link_tickets",
            "ticket_hash",
            "INSERT INTO external_login_link_tickets (ticket_hash, user_id, provider, expires_at) "
                + "VALUES (@hash, @user, 'example', @expires)"
        ),
        (
            "external_login_link_codes",
            "code_hash",
            "INSERT INTO external_login_link_codes (code_hash, user_id, provider, subject, email, expires_at) "
                + "VALUES (@hash, @user, 'example', 's', 'e@example.com', @expires)"
        ),
        (
            "two_factor_challenges",
            "challenge_hash",
            "INSERT INTO two_factor_challenges (challenge_hash, user_id, attempts, created_at, expires_at) "
                + "VALUES (@hash, @user, 0, now(), @expires)"
        ),
        (
            "email_verification_tokens",
            "token_hash",
            "INSERT INTO email_verification_tokens (token_hash, user_id, email, created_at, expires_at) "
                + "VALUES (@hash, @user, 'e@example.com', now(), @expires)"
        ),
        (
            "password_reset_tokens",
            "token_hash",
            "INSERT INTO password_reset_tokens (token_hash, user_id, created_at, expires_at) "
                + "VALUES (@hash, @user, now(), @expires)"
        ),
    ];

    [Fact]
    public async Task Every_expired_one_time_secret_goes_and_every_live_one_stays()
    {
        var user = await UserAsync();
        var now = fx.Clock.GetUtcNow();
        var rows = new List<(string Table, string Key, byte[] Hash, bool Live)>();
        foreach (var (table, key, insert) in Secrets)
        foreach (var live in new[] { false, true })
        {
            var hash = RandomNumberGenerator.GetBytes(32);
            var expires = live ? now + TimeSpan.FromMinutes(5) : now - TimeSpan.FromSeconds(1);
            await fx.ExecuteAsync(insert, ("hash", hash), ("user", user), ("expires", expires));
            rows.Add((table, key, hash, live));
        }

        Assert.True(await Sweeper.SweepAsync(CancellationToken.None) >= Secrets.Length);

        foreach (var (table, key, hash, live) in rows)
            Assert.True(
                await ExistsAsync(table, key, hash) == live,
                $"{table}: the {(live ? "live" : "expired")} row {(live ? "went" : "stayed")}"
            );
    }

    [Fact]
    public async Task A_sessions_refresh_tokens_go_together_once_all_have_expired_and_its_access_tokens_with_them()
    {
        var user = await UserAsync();
        var now = fx.Clock.GetUtcNow();
        // A live session: its token rotated away has expired, its newer one has not. The old one stays, as a thief's
        // replay of it ends the session.
        var live = await FamilyAsync(user, now - TimeSpan.FromDays(1), now + TimeSpan.FromDays(1));
        // Over an hour ago: its access tokens (15 minutes) are over too.
        var over = await FamilyAsync(user, now - TimeSpan.FromHours(2), now - TimeSpan.FromHours(1));
        // Over 15 minutes and 10 seconds ago: an access token of its last refresh is still accepted within the clock
        // skew allowed (30 s), and a logout with it must find the session to end.
        var justOver = await FamilyAsync(
            user,
            now - TimeSpan.FromMinutes(16),
            now - TimeSpan.FromMinutes(15) - TimeSpan.FromSeconds(10)
        );

        await Sweeper.SweepAsync(CancellationToken.None);

        Assert.Equal(2L, await TokensAsync(live));
        Assert.Equal(0L, await TokensAsync(over));
        Assert.Equal(2L, await TokensAsync(justOver));
    }

    [Fact]
    public async Task A_row_a_request_holds_is_passed_over_and_goes_on_a_later_round()
    {
        var user = await UserAsync();
        var expired = fx.Clock.GetUtcNow() - TimeSpan.FromMinutes(1);
        var (table, key, insert) = Secrets.Single(s => s.Table == "password_reset_tokens");
        var held = RandomNumberGenerator.GetBytes(32);
        var free = RandomNumberGenerator.GetBytes(32);
        foreach (var hash in new[] { held, free })
            await fx.ExecuteAsync(insert, ("hash", hash), ("user", user), ("expires", expired));

        // A reset spending its link at that moment holds the row.
        await using (var request = new NpgsqlConnection(fx.Resources.DatabaseConnectionString))
        {
            await request.OpenAsync();
            await using var holding = await request.BeginTransactionAsync();
            await using (
                var take = new NpgsqlCommand($"SELECT 1 FROM {table} WHERE {key} = @hash FOR UPDATE", request, holding)
            )
            {
                take.Parameters.AddWithValue("hash", held);
                await take.ExecuteNonQueryAsync();
            }

            using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await Sweeper.SweepAsync(patience.Token);

            Assert.True(await ExistsAsync(table, key, held));
            Assert.False(await ExistsAsync(table, key, free));
            await holding.RollbackAsync();
        }

        await Sweeper.SweepAsync(CancellationToken.None);

        Assert.False(await ExistsAsync(table, key, held));
    }

    [Fact]
    public async Task A_sign_in_a_request_holds_a_token_of_is_left_whole_and_goes_on_a_later_round()
    {
        var user = await UserAsync();
        var now = fx.Clock.GetUtcNow();
        var family = await FamilyAsync(user, now - TimeSpan.FromHours(2), now - TimeSpan.FromHours(1));

        // A replay of its rotated token revoking the sign-in at that moment holds that token's row.
        await using (var request = new NpgsqlConnection(fx.Resources.DatabaseConnectionString))
        {
            await request.OpenAsync();
            await using var holding = await request.BeginTransactionAsync();
            await using (
                var take = new NpgsqlCommand(
                    "SELECT 1 FROM refresh_tokens WHERE family_id = @family AND rotated_at IS NOT NULL FOR UPDATE",
                    request,
                    holding
                )
            )
            {
                take.Parameters.AddWithValue("family", family);
                await take.ExecuteNonQueryAsync();
            }

            using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await Sweeper.SweepAsync(patience.Token);

            // Its newest token stays with it: the next round finds the sign-in by that one.
            Assert.Equal(2L, await TokensAsync(family));
            await holding.RollbackAsync();
        }

        await Sweeper.SweepAsync(CancellationToken.None);

        Assert.Equal(0L, await TokensAsync(family));
    }

    /// <summary>
    /// Sign-ins an older release left with every token rotated (a refresh that failed after its claim) have no newest
    /// token for the sweep to find them by: migration 0025 deletes those rotated more than a day ago, and no other.
    /// </summary>
    [Fact]
    public async Task The_migration_deletes_old_sign_ins_whose_every_token_was_rotated_and_no_other()
    {
        var user = await UserAsync();
        var now = DateTimeOffset.UtcNow;
        var stranded = await FamilyAsync(user, now - TimeSpan.FromDays(3), now - TimeSpan.FromDays(2));
        var recent = await FamilyAsync(user, now - TimeSpan.FromHours(2), now + TimeSpan.FromDays(6));
        var live = await FamilyAsync(user, now - TimeSpan.FromDays(3), now + TimeSpan.FromDays(1));
        foreach (var family in new[] { stranded, recent })
            await fx.ExecuteAsync(
                "UPDATE refresh_tokens SET rotated_at = expires_at - interval '6 days' "
                    + "WHERE family_id = @family AND rotated_at IS NULL",
                ("family", family)
            );
        var migration = new MigrationSource("identity", typeof(ExpiredCredentials).Assembly)
            .Load()
            .Single(m => m.Version.StartsWith("0025", StringComparison.Ordinal));

        await fx.ExecuteAsync(migration.Sql);

        Assert.Equal(0L, await TokensAsync(stranded));
        Assert.Equal(2L, await TokensAsync(recent));
        Assert.Equal(2L, await TokensAsync(live));
    }

    private async Task<Guid> UserAsync() => Guid.Parse((await fx.RegisterAsync())["user"]!["id"]!.GetValue<string>());

    /// <summary>
    /// A session of two tokens: one rotated away, expired at <paramref name="older"/>, and its successor.
    /// </summary>
    private async Task<Guid> FamilyAsync(Guid user, DateTimeOffset older, DateTimeOffset newer)
    {
        var family = Guid.NewGuid();
        foreach (var (expires, rotated) in new[] { (older, true), (newer, false) })
            await fx.ExecuteAsync(
                "INSERT INTO refresh_tokens (id, family_id, user_id, token_hash, created_at, expires_at, rotated_at) "
                    + "VALUES (gen_random_uuid(), @family, @user, @hash, @expires - interval '7 days', @expires, "
                    + "CASE WHEN @rotated THEN @expires - interval '6 days' END)",
                ("family", family),
                ("user", user),
                ("hash", RandomNumberGenerator.GetBytes(32)),
                ("expires", expires),
                ("rotated", rotated)
            );
        return family;
    }

    private async Task<long> TokensAsync(Guid family) =>
        await fx.ScalarAsync<long>("SELECT count(*) FROM refresh_tokens WHERE family_id = @family", ("family", family));

    private async Task<bool> ExistsAsync(string table, string key, byte[] hash) =>
        await fx.ScalarAsync<bool>($"SELECT EXISTS (SELECT 1 FROM {table} WHERE {key} = @hash)", ("hash", hash));
}
