using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Community.Identity.Tests;

/// <summary>
/// Identity behind its gateway (the test client is the trusted proxy), with a small registration limit.
/// </summary>
public sealed class LoginLimitFixture : IdentityFixture
{
    public const int RegistrationsPerIdentifier = 3;
    public const int LinksPerAccount = 5;

    protected override void ConfigureService(IDictionary<string, string?> settings)
    {
        base.ConfigureService(settings);
        settings["Identity:RegistrationThrottle:PerIdentifierAndAddress"] = RegistrationsPerIdentifier.ToString();
        settings["Identity:RegistrationThrottle:LinksPerAccount"] = LinksPerAccount.ToString();
    }
}

/// <summary>
/// Limits that rotating addresses cannot step around, and that strangers cannot turn against the owner.
/// </summary>
public sealed class LoginLimitTests(LoginLimitFixture fx) : IClassFixture<LoginLimitFixture>
{
    private Task<HttpResponseMessage> Login(string identifier, string password, string from) =>
        Send("/api/v1/auth/login", new { identifier, password }, from);

    private Task<HttpResponseMessage> Send(string path, object body, string from)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        request.Headers.Add("X-Forwarded-For", from);
        return fx.Client.SendAsync(request);
    }

    private static int RetryAfter(HttpResponseMessage response) =>
        int.Parse(response.Headers.GetValues("Retry-After").Single());

    // The window opened with the first request counted, at most the time the requests took before now.
    private static void AssertWindowAnHour(int retryAfter, TimeSpan took) =>
        Assert.InRange(retryAfter, 3600 - (int)Math.Ceiling(took.TotalSeconds) - 1, 3600);

    /// <summary>
    /// A stranger who put a number on an account of their own learns from the limits nothing of whether someone else
    /// verified it: logins by a number nobody verified count on the number, never on its holder's account, whose usual
    /// address would answer otherwise than the owner's.
    /// </summary>
    [Fact]
    public async Task The_limits_of_logins_by_a_number_tell_no_stranger_whether_someone_verified_it()
    {
        var answers = new List<(string? Detail, int RetryAfter)>();
        foreach (var (verified, from) in new[] { (true, "198.51.100.61"), (false, "198.51.100.62") })
        {
            var number = "+4476" + Random.Shared.Next(10_000_000, 99_999_999);
            if (verified)
            {
                var owner = await RegisterWithPhoneAsync("num_owner_", number);
                const string send = "/api/v1/users/me/phone/verification";
                await (await fx.Client.PostJson(send, new { }, owner)).AssertStatus(202);
                var code = fx.Sms.LastCodeTo(number);
                await (await fx.Client.PostJson(send + "/confirm", new { code }, owner)).AssertStatus(200);
            }
            var prober = "num_probe_" + Guid.NewGuid().ToString("N")[..8];
            await RegisterWithPhoneAsync(prober, number, exactly: true);
            // The prober's own usual address.
            await (await Login(prober, "correct-horse-9", from)).AssertStatus(200);
            for (var i = 0; i < 10; i++)
                await (await Login(number, "wrong-password-1", from)).AssertProblem(401);

            var refused = await Login(number, "wrong-password-1", from);
            var problem = await refused.AssertProblem(429);
            answers.Add((problem["detail"]?.GetValue<string>(), RetryAfter(refused)));
        }

        Assert.Equal(answers[0].Detail, answers[1].Detail);
        Assert.All(answers, a => Assert.InRange(a.RetryAfter, 61, 15 * 60));
    }

    /// <summary>A new account holding <paramref name="phone"/> (unverified); answers its access token.</summary>
    private async Task<string> RegisterWithPhoneAsync(string username, string phone, bool exactly = false)
    {
        var answer = await (
            await fx.Client.PostJson(
                "/api/v1/auth/register",
                new
                {
                    username = exactly ? username : username + Guid.NewGuid().ToString("N")[..8],
                    phone,
                    password = "correct-horse-9",
                }
            )
        ).AssertStatus(201);
        return answer["access_token"]!.GetValue<string>();
    }

    [Fact]
    public async Task Ten_wrong_passwords_stop_the_guessing_address_but_not_the_owner_at_a_new_one()
    {
        await fx.RegisterAsync("new_place_owner");
        for (var i = 0; i < 10; i++)
            await (await Login("new_place_owner", "wrong-password-1", "203.0.113.40")).AssertProblem(401);

        // The owner, from an address never used before: in at once, or after a short wait the answer states.
        var owner = await Login("new_place_owner", "correct-horse-9", "198.51.100.40");
        if (owner.StatusCode == HttpStatusCode.TooManyRequests)
        {
            var wait = RetryAfter(owner);
            Assert.InRange(wait, 1, 15);
            fx.Clock.Advance(TimeSpan.FromSeconds(wait));
            owner = await Login("new_place_owner", "correct-horse-9", "198.51.100.40");
        }
        await owner.AssertStatus(200);

        // The guessing address stays refused for the rest of the window (longer than any back-off), right password or
        // not.
        foreach (var password in new[] { "correct-horse-9", "wrong-password-2" })
        {
            var guesser = await Login("new_place_owner", password, "203.0.113.40");
            await guesser.AssertProblem(429);
            Assert.InRange(RetryAfter(guesser), 2 * 60 + 1, 15 * 60);
        }
    }

    [Fact]
    public async Task Failures_from_rotating_addresses_back_the_account_off_briefly_and_a_success_resets_it()
    {
        await fx.RegisterAsync("usual_owner");
        await (await Login("usual_owner", "correct-horse-9", "198.51.100.10")).AssertStatus(200);

        // Every guess from a new address: the per-account count still adds them up.
        for (var i = 0; i < 10; i++)
            await (await Login("usual_owner", "wrong-password-1", $"203.0.113.{20 + i}")).AssertProblem(401);
        var first = await Login("usual_owner", "correct-horse-9", "203.0.113.99");
        await first.AssertProblem(429);
        Assert.InRange(RetryAfter(first), 1, 15);

        // Each further failure doubles the wait, never past two minutes.
        fx.Clock.Advance(TimeSpan.FromSeconds(16));
        await (await Login("usual_owner", "wrong-password-1", "203.0.113.31")).AssertProblem(401);
        var second = await Login("usual_owner", "correct-horse-9", "203.0.113.99");
        await second.AssertProblem(429);
        Assert.InRange(RetryAfter(second), 16, 30);
        for (var i = 0; i < 4; i++)
        {
            fx.Clock.Advance(TimeSpan.FromSeconds(121));
            await (await Login("usual_owner", "wrong-password-1", $"203.0.113.{40 + i}")).AssertProblem(401);
        }
        Assert.InRange(RetryAfter(await Login("usual_owner", "correct-horse-9", "203.0.113.99")), 61, 120);

        // The usual address never waits for a stranger, and its success clears the account's back-off.
        await (await Login("usual_owner", "correct-horse-9", "198.51.100.10")).AssertStatus(200);
        await (await Login("usual_owner", "correct-horse-9", "203.0.113.99")).AssertStatus(200);
    }

    [Fact]
    public async Task The_owners_own_failures_at_a_usual_address_back_off_progressively()
    {
        await fx.RegisterAsync("backoff_owner");
        await (await Login("backoff_owner", "correct-horse-9", "198.51.100.11")).AssertStatus(200);
        for (var i = 0; i < 10; i++)
            await (await Login("backoff_owner", "wrong-password-1", "198.51.100.11")).AssertProblem(401);

        var first = await Login("backoff_owner", "correct-horse-9", "198.51.100.11");
        await first.AssertProblem(429);
        Assert.InRange(RetryAfter(first), 1, 30);

        fx.Clock.Advance(TimeSpan.FromSeconds(31));
        await (await Login("backoff_owner", "wrong-password-1", "198.51.100.11")).AssertProblem(401);
        var second = await Login("backoff_owner", "correct-horse-9", "198.51.100.11");
        await second.AssertProblem(429);
        Assert.InRange(RetryAfter(second), 31, 60);

        fx.Clock.Advance(TimeSpan.FromSeconds(61));
        await (await Login("backoff_owner", "correct-horse-9", "198.51.100.11")).AssertStatus(200);
    }

    [Fact]
    public async Task A_name_spelling_an_accounts_key_counts_against_no_account()
    {
        var user = await fx.RegisterAsync("spelled_owner");
        var id = user["user"]!["id"]!.GetValue<string>();
        await (await Login("spelled_owner", "correct-horse-9", "198.51.100.13")).AssertStatus(200);

        // A stranger fails ten times with each of two names no account has, spelled as the owner's counters (the last
        // as the one at their usual address).
        foreach (var spelled in new[] { id, $"{id}|ip:198.51.100.13" })
            for (var i = 0; i < 10; i++)
            {
                fx.Clock.Advance(TimeSpan.FromSeconds(3));
                await (await Login(spelled, "wrong-password-1", $"203.0.113.{60 + i}")).AssertProblem(401);
            }

        // The owner is let in at their usual address and at a new one.
        await (await Login("spelled_owner", "correct-horse-9", "198.51.100.13")).AssertStatus(200);
        await (await Login("spelled_owner", "correct-horse-9", "192.0.2.13")).AssertStatus(200);
        // What counted them was the name's own counters.
        Assert.Equal(
            10L,
            await fx.ScalarAsync<long>($"SELECT failures FROM login_failures WHERE key = 'identifier:{id}'")
        );
        Assert.Equal(
            0L,
            await fx.ScalarAsync<long>($"SELECT count(*) FROM login_failures WHERE key LIKE 'login-%:{id}%'")
        );
    }

    [Fact]
    public async Task Failures_are_counted_per_account_per_account_and_address_and_per_address()
    {
        var user = await fx.RegisterAsync("pair_counted");
        var id = user["user"]!["id"]!.GetValue<string>();

        await (await Login("pair_counted", "wrong-password-1", "192.0.2.44")).AssertProblem(401);

        Assert.Equal(
            1L,
            await fx.ScalarAsync<long>($"SELECT failures FROM login_failures WHERE key = 'login-username:{id}'")
        );
        Assert.Equal(
            1L,
            await fx.ScalarAsync<long>(
                $"SELECT failures FROM login_failures WHERE key = 'login-username:{id}|ip:192.0.2.44'"
            )
        );
        Assert.Equal(1L, await fx.ScalarAsync<long>("SELECT failures FROM login_failures WHERE key = 'ip:192.0.2.44'"));
    }

    [Fact]
    public async Task Failures_by_a_username_never_tell_which_email_or_phone_is_that_accounts()
    {
        // Usernames are public, e-mails are not: a stranger fails ten times by the name from one address, and then
        // tries two e-mails from there, the account's own and another member's.
        await fx.RegisterAsync("linked_name");
        await fx.RegisterAsync("unlinked_name");
        for (var i = 0; i < 10; i++)
        {
            fx.Clock.Advance(TimeSpan.FromSeconds(3));
            await (await Login("linked_name", "wrong-password-1", "203.0.113.200")).AssertProblem(401);
        }
        await (await Login("linked_name", "wrong-password-1", "203.0.113.200")).AssertProblem(429);

        // Both answer alike, from the guessing address and from a new one (past the account's back-off by name).
        foreach (var from in new[] { "203.0.113.200", "203.0.113.201" })
        foreach (var email in new[] { "linked_name@example.com", "unlinked_name@example.com" })
        {
            fx.Clock.Advance(TimeSpan.FromSeconds(3));
            await (await Login(email, "wrong-password-1", from)).AssertProblem(401);
        }
        // The owner signs in by the e-mail at once, and that clears the name's counts too.
        await (await Login("linked_name@example.com", "correct-horse-9", "198.51.100.200")).AssertStatus(200);
        await (await Login("linked_name", "correct-horse-9", "198.51.100.201")).AssertStatus(200);
    }

    [Fact]
    public async Task Counters_are_swept_once_the_longest_window_has_ended()
    {
        var now = fx.Clock.GetUtcNow();
        // A registration counts for an hour, four times as long as a login: the sweep waits for the longest window.
        await fx.ExecuteAsync(
            "INSERT INTO login_failures (key, window_started_at, failures) VALUES "
                + "('register:swept@example.com|ip:192.0.2.90', @ended, 3), "
                + "('register:kept@example.com|ip:192.0.2.90', @live, 3)",
            ("ended", now - TimeSpan.FromMinutes(61)),
            ("live", now - TimeSpan.FromMinutes(59))
        );

        await fx.Host.Services.GetRequiredService<ThrottleCounters>().SweepAsync(CancellationToken.None);

        Assert.Equal(0L, await CountAsync("register:swept@example.com|ip:192.0.2.90"));
        Assert.Equal(1L, await CountAsync("register:kept@example.com|ip:192.0.2.90"));
    }

    [Fact]
    public async Task A_sweep_passes_over_a_counter_a_request_holds_and_takes_it_on_a_later_round()
    {
        var now = fx.Clock.GetUtcNow();
        await fx.ExecuteAsync(
            "INSERT INTO login_failures (key, window_started_at, failures) VALUES "
                + "('register:held@example.com|ip:192.0.2.91', @ended, 3), "
                + "('register:free@example.com|ip:192.0.2.91', @ended, 3)",
            ("ended", now - TimeSpan.FromMinutes(61))
        );
        var sweeper = fx.Host.Services.GetRequiredService<ThrottleCounters>();
        // A request's transaction holding one of the ended counters, as a reset mail holds its two.
        await using (var request = new NpgsqlConnection(fx.Resources.DatabaseConnectionString))
        {
            await request.OpenAsync();
            await using var holding = await request.BeginTransactionAsync();
            await using (
                var take = new NpgsqlCommand(
                    "SELECT 1 FROM login_failures WHERE key = 'register:held@example.com|ip:192.0.2.91' FOR UPDATE",
                    request,
                    holding
                )
            )
                await take.ExecuteNonQueryAsync();

            using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await sweeper.SweepAsync(patience.Token);

            Assert.Equal(1L, await CountAsync("register:held@example.com|ip:192.0.2.91"));
            Assert.Equal(0L, await CountAsync("register:free@example.com|ip:192.0.2.91"));
            await holding.RollbackAsync();
        }

        await sweeper.SweepAsync(CancellationToken.None);

        Assert.Equal(0L, await CountAsync("register:held@example.com|ip:192.0.2.91"));
    }

    private Task<long> CountAsync(string key) =>
        fx.ScalarAsync<long>("SELECT count(*) FROM login_failures WHERE key = @key", ("key", key));

    [Theory]
    [InlineData(255)]
    [InlineData(100_000)]
    public async Task Identifiers_longer_than_an_email_address_are_refused_and_never_stored(int length)
    {
        var identifier = new string('a', length);

        var problem = await (await Login(identifier, "wrong-password-1", "192.0.2.45")).AssertProblem(400);

        Assert.NotNull(problem["errors"]!["identifier"]);
        Assert.Equal(0L, await fx.ScalarAsync<long>("SELECT count(*) FROM login_failures WHERE length(key) > 300"));
        Assert.Equal(0L, await fx.ScalarAsync<long>("SELECT count(*) FROM login_failures WHERE key = 'ip:192.0.2.45'"));
    }

    [Fact]
    public async Task An_identifier_of_254_characters_is_still_a_login()
    {
        await (await Login(new string('b', 254), "wrong-password-1", "192.0.2.46")).AssertProblem(401);
        Assert.Equal(0L, await fx.ScalarAsync<long>("SELECT count(*) FROM login_failures WHERE length(key) > 300"));
    }

    private Task<HttpResponseMessage> Register(string username, string email, string password, string from) =>
        Send(
            "/api/v1/auth/register",
            new
            {
                username,
                email,
                password,
            },
            from
        );

    [Fact]
    public async Task Registrations_refused_by_validation_do_not_count_against_the_email()
    {
        const string victim = "invalid_victim@example.com";
        for (var i = 0; i < 10; i++)
            await (await Register($"inv_attacker_{i}", victim, "short", "203.0.113.60")).AssertProblem(400);

        // The owner registers from another address, is answered as usual and gets the link.
        await (await Register("invalid_victim", victim, "correct-horse-9", "198.51.100.60")).AssertStatus(201);
        await (await fx.ConfirmAsync(victim)).AssertStatus(200);
        Assert.Equal(
            "invalid_victim",
            await fx.ScalarAsync<string>(
                "SELECT username FROM users WHERE email = @e AND email_verified_at IS NOT NULL",
                ("e", victim)
            )
        );
        // Nor did they count against the attacker's own address.
        await (await Register("inv_attacker_ok", victim, "correct-horse-9", "203.0.113.60")).AssertStatus(201);
    }

    [Fact]
    public async Task Registrations_refused_for_a_referral_code_or_a_taken_username_do_not_count()
    {
        const string email = "retrying_newcomer@example.com";
        await fx.RegisterAsync("taken_name");
        // More refusals than the limit allows registrations, from one address for one e-mail: an unknown referral code
        // (400) and a taken username (409), as a newcomer correcting a form would meet them.
        for (var i = 0; i < LoginLimitFixture.RegistrationsPerIdentifier; i++)
        {
            var coded = new Dictionary<string, string>
            {
                ["username"] = $"retrying_{i}",
                ["email"] = email,
                ["password"] = "correct-horse-9",
                ["referral_code"] = "NOSUCHCODE",
            };
            await (await Send("/api/v1/auth/register", coded, "203.0.113.210")).AssertProblem(400);
            await (await Register("taken_name", email, "correct-horse-9", "203.0.113.210")).AssertProblem(409);
        }

        await (await Register("retrying_newcomer", email, "correct-horse-9", "203.0.113.210")).AssertStatus(201);
    }

    [Fact]
    public async Task A_strangers_registrations_past_the_limit_refuse_only_their_own_address()
    {
        const string victim = "flooded_victim@example.com";
        var window = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < LoginLimitFixture.RegistrationsPerIdentifier; i++)
            await (await Register($"flood_{i}", victim, "correct-horse-9", "203.0.113.70")).AssertStatus(201);

        var refused = await Register("flood_last", victim.ToUpperInvariant(), "correct-horse-9", "203.0.113.70");
        await refused.AssertProblem(429);
        AssertWindowAnHour(RetryAfter(refused), window.Elapsed);
        // Another identifier from that address is not affected.
        await (
            await Register("flood_fresh", "flood_fresh@example.com", "correct-horse-9", "203.0.113.70")
        ).AssertStatus(201);

        // The owner, from their own address: the usual 201, their link, and the address confirmed.
        await (await Register("flood_owner", victim, "correct-horse-9", "198.51.100.70")).AssertStatus(201);
        await (await fx.ConfirmAsync(victim)).AssertStatus(200);
        Assert.Equal(
            "flood_owner",
            await fx.ScalarAsync<string>(
                "SELECT username FROM users WHERE email = @e AND email_verified_at IS NOT NULL",
                ("e", victim)
            )
        );
        await (await Register("flood_last", victim, "correct-horse-9", "203.0.113.70")).AssertProblem(429);
    }

    [Fact]
    public async Task New_links_are_counted_per_account_apart_from_registrations()
    {
        const string email = "links_owner@example.com";
        var registered = await (await Register("links_owner", email, "correct-horse-9", "198.51.100.80")).AssertStatus(
            201
        );
        var token = registered["access_token"]!.GetValue<string>();

        var window = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < LoginLimitFixture.LinksPerAccount; i++)
            await (await AskForLink(token)).AssertStatus(202);
        var refused = await AskForLink(token);
        await refused.AssertProblem(429);
        AssertWindowAnHour(RetryAfter(refused), window.Elapsed);

        // The links used up nothing of the registrations naming the address, and the newest link still works.
        await (await Register("links_second", email, "correct-horse-9", "198.51.100.80")).AssertStatus(201);
        await (await fx.ConfirmAsync(email)).AssertStatus(200);
    }

    [Fact]
    public async Task Spelling_a_shared_phone_number_differently_is_still_one_account_to_the_back_off()
    {
        // Two accounts give one number neither has confirmed: a login by it tries both, counted under the number.
        const string phone = "+971501234567";
        foreach (var username in new[] { "phone_holder", "phone_squatter" })
            await (
                await Send(
                    "/api/v1/auth/register",
                    new
                    {
                        username,
                        phone,
                        password = username[6..] + "-secret-9",
                    },
                    "198.51.100.90"
                )
            ).AssertStatus(201);
        // Each guess spelled another way ("+97 1501234567", "+971 501234567"...) from a new client address.
        string Spelled(int i) => phone[..(2 + i)] + " " + phone[(2 + i)..];
        for (var i = 0; i < 10; i++)
        {
            fx.Clock.Advance(TimeSpan.FromSeconds(3));
            await (await Login(Spelled(i), "wrong-password-1", $"203.0.113.{140 + i}")).AssertProblem(401);
        }
        // The number's ten failures back off the next try, however it is spelled: even the right password waits.
        await (await Login(phone.Replace("+971", "+971-"), "holder-secret-9", "203.0.113.160")).AssertProblem(429);
    }

    [Fact]
    public async Task A_holder_of_a_shared_address_signing_in_does_not_forgive_the_guesses_at_the_others()
    {
        // The owner gave an address they never confirmed; an attacker registers an account naming it too, and
        // guesses the owner's password by it, signing in to their own account between guesses to reset the count.
        const string email = "never.confirmed@example.com";
        await (await Register("shared_owner", email, "owner-secret-9", "198.51.100.91")).AssertStatus(201);
        await (await Register("shared_guesser", email, "guesser-secret-9", "198.51.100.92")).AssertStatus(201);
        async Task GuessesAsync(int from, int count)
        {
            for (var i = 0; i < count; i++)
            {
                fx.Clock.Advance(TimeSpan.FromSeconds(10));
                await (await Login(email, "wrong-password-1", $"203.0.113.{from + i}")).AssertProblem(401);
            }
        }
        await GuessesAsync(170, 5);
        // By the address only its earliest holder is tried: the guesser's own password opens nothing there, and is
        // one more failure; by its name it signs in, which forgives nothing at the address.
        fx.Clock.Advance(TimeSpan.FromSeconds(10));
        await (await Login(email, "guesser-secret-9", "203.0.113.190")).AssertProblem(401);
        fx.Clock.Advance(TimeSpan.FromSeconds(10));
        await (await Login("shared_guesser", "guesser-secret-9", "203.0.113.191")).AssertStatus(200);
        await GuessesAsync(175, 4);
        // Ten failures at the address: the next try backs off, the owner's right password included.
        fx.Clock.Advance(TimeSpan.FromSeconds(10));
        await (await Login(email, "owner-secret-9", "203.0.113.195")).AssertProblem(429);
    }

    [Fact]
    public async Task Accounts_made_to_name_one_address_get_it_thirty_mails_an_hour_then_one_for_each_new_address()
    {
        const string victim = "inbox_target@example.com";
        int Mails() => fx.Smtp.Messages.Count(m => m.To.Any(t => t.Contains(victim)));
        // Each account from a client address of its own, each asking for every link it may: 36 mails asked for.
        for (var i = 0; i < 6; i++)
        {
            var from = $"203.0.113.{120 + i}";
            var registered = await (await Register($"inbox_flood_{i}", victim, "correct-horse-9", from)).AssertStatus(
                201
            );
            for (var link = 0; link < 5; link++)
                await (await AskForLink(registered["access_token"]!.GetValue<string>(), from)).AssertStatus(202);
        }
        // The same answers throughout, and thirty mails, then only the sixth address's first: thirty-one.
        Assert.Equal(31, Mails());

        // Past the ceiling, each new address's first mail goes, thirty of them in all, and then none. Each address is
        // in a network of its own (a /48), whose share of the spares is not what this counts.
        for (var i = 0; i < 30; i++)
            await (await Register($"inbox_spare_{i}", victim, "correct-horse-9", $"2001:db8:{10 + i}::1")).AssertStatus(
                201
            );
        Assert.Equal(60, Mails());

        // The next window mails it again.
        fx.Clock.Advance(TimeSpan.FromMinutes(61));
        await (await Register("inbox_flood_late", victim, "correct-horse-9", "203.0.113.130")).AssertStatus(201);
        Assert.Equal(61, Mails());
    }

    [Fact]
    public async Task Strangers_who_spent_an_inboxs_confirmation_mails_do_not_keep_its_owner_from_their_link()
    {
        const string victim = "ceiling_owner@example.com";
        int Mails() => fx.Smtp.Messages.Count(m => m.To.Any(t => t.Contains(victim)));
        // Three addresses, two accounts each, every link they may ask for: the inbox's thirty mails spent.
        for (var a = 0; a < 3; a++)
        {
            var from = $"203.0.113.{150 + a}";
            for (var i = 0; i < 2; i++)
            {
                var registered = await (
                    await Register($"ceiling_squat_{a}_{i}", victim, "correct-horse-9", from)
                ).AssertStatus(201);
                for (var link = 0; link < 5; link++)
                    await (await AskForLink(registered["access_token"]!.GetValue<string>(), from)).AssertStatus(202);
            }
        }
        Assert.Equal(30, Mails());

        // The owner registers from their own address and gets their link, and confirms the address.
        await (await Register("ceiling_owner", victim, "correct-horse-9", "198.51.100.150")).AssertStatus(201);
        Assert.Single(
            fx.Smtp.Messages,
            m =>
                m.To.Any(t => t.Contains(victim))
                && m.Body.Contains("ceiling_owner")
                && m.Body.Contains("Confirmation token: ")
        );
        await (await fx.ConfirmAsync(victim)).AssertStatus(200);
        Assert.Equal(
            "ceiling_owner",
            await fx.ScalarAsync<string>(
                "SELECT username FROM users WHERE email = @e AND email_verified_at IS NOT NULL",
                ("e", victim)
            )
        );
    }

    [Fact]
    public async Task A_stranger_naming_an_address_from_elsewhere_never_uses_up_its_owners_confirmation_mails()
    {
        const string victim = "squatted_inbox@example.com";
        // Two accounts made from one address to name the victim's, asking for every link they may: 12 mails asked
        // for, 10 sent, then nothing more from that address.
        for (var i = 0; i < 2; i++)
        {
            var registered = await (
                await Register($"inbox_squat_{i}", victim, "correct-horse-9", "203.0.113.140")
            ).AssertStatus(201);
            for (var link = 0; link < 5; link++)
                await (await AskForLink(registered["access_token"]!.GetValue<string>(), "203.0.113.140")).AssertStatus(
                    202
                );
        }
        Assert.Equal(10, fx.Smtp.Messages.Count(m => m.To.Any(t => t.Contains(victim))));

        // The owner, from their own address, still gets their link.
        await (await Register("inbox_owner", victim, "correct-horse-9", "198.51.100.140")).AssertStatus(201);
        Assert.Single(
            fx.Smtp.Messages,
            m =>
                m.To.Any(t => t.Contains(victim))
                && m.Body.Contains("inbox_owner")
                && m.Body.Contains("Confirmation token: ")
        );
    }

    [Fact]
    public async Task Reset_mails_stop_at_five_an_hour_an_asking_address_and_twenty_then_one_for_each_new_address()
    {
        await fx.RegisterAsync("reset_flooded");
        int Mails() =>
            fx.Smtp.Messages.Count(m =>
                m.To.Any(t => t.Contains("reset_flooded@example.com")) && m.Body.Contains("Reset token: ")
            );
        // A stranger asking by the public username, again and again from one address: the same 202 every time, five
        // mails.
        for (var i = 0; i < 8; i++)
            await (
                await Send("/api/v1/auth/password/forgot", new { identifier = "reset_flooded" }, "203.0.113.80")
            ).AssertStatus(202);
        await fx.MailSentAsync();
        Assert.Equal(5, Mails());

        // The owner, from their own address, is still mailed.
        await (
            await Send(
                "/api/v1/auth/password/forgot",
                new { identifier = "reset_flooded@example.com" },
                "198.51.100.80"
            )
        ).AssertStatus(202);
        await fx.MailSentAsync();
        Assert.Equal(6, Mails());

        // Rotating addresses and identifiers, the inbox gets twenty, then only each new address's first: 23.
        for (var i = 0; i < 6; i++)
        for (var j = 0; j < 5; j++)
        {
            var identifier = j % 2 == 0 ? "reset_flooded" : "reset_flooded@example.com";
            await (await Send("/api/v1/auth/password/forgot", new { identifier }, $"203.0.113.{81 + i}")).AssertStatus(
                202
            );
        }
        await fx.MailSentAsync();
        Assert.Equal(23, Mails());

        // So the owner, asking from an address of theirs the strangers did not use, is still mailed.
        await (
            await Send("/api/v1/auth/password/forgot", new { identifier = "reset_flooded" }, "198.51.100.81")
        ).AssertStatus(202);
        await fx.MailSentAsync();
        Assert.Equal(24, Mails());
    }

    /// <summary>
    /// One home is given a /56 of IPv6, 256 /64s each keyed as a client address of its own: past a spent ceiling, their
    /// first requests get only their network's (the /48's) five of the twenty spares, and the owner asking from
    /// elsewhere is still mailed.
    /// </summary>
    [Fact]
    public async Task One_networks_many_addresses_spend_only_its_share_of_an_accounts_spare_reset_mails()
    {
        await fx.RegisterAsync("reset_homed");
        int Mails() =>
            fx.Smtp.Messages.Count(m =>
                m.To.Any(t => t.Contains("reset_homed@example.com")) && m.Body.Contains("Reset token: ")
            );
        Task<HttpResponseMessage> Forgot(string from) =>
            Send("/api/v1/auth/password/forgot", new { identifier = "reset_homed" }, from);
        // The stranger's home: /64s of 2001:db8:77::/48, the first four spending the account's twenty mails.
        string Home(int i) => $"2001:db8:77:{0xff00 + i:x}::1";
        for (var i = 0; i < 4; i++)
        for (var j = 0; j < 5; j++)
            await (await Forgot(Home(i))).AssertStatus(202);
        await fx.MailSentAsync();
        Assert.Equal(20, Mails());

        // Twenty-four more of its /64s, each asking once: the same 202 to each, five mails (the network's share).
        for (var i = 4; i < 28; i++)
            await (await Forgot(Home(i))).AssertStatus(202);
        await fx.MailSentAsync();
        Assert.Equal(25, Mails());

        // The owner, asking from another network, still gets a spare.
        await (await Forgot("2001:db8:78::1")).AssertStatus(202);
        await fx.MailSentAsync();
        Assert.Equal(26, Mails());
    }

    private Task<HttpResponseMessage> AskForLink(string token, string? from = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/users/me/email/verification");
        request.Headers.Authorization = new("Bearer", token);
        if (from is not null)
            request.Headers.Add("X-Forwarded-For", from);
        return fx.Client.SendAsync(request);
    }
}
