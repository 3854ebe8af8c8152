using System.Net;
using System.Net.Http.Json;
using Community.Testing;

namespace Community.Identity.Tests;

/// <summary>Identity behind its gateway (the test client is the trusted proxy), with a small registration limit.</summary>
public sealed class LoginLimitFixture : IdentityFixture
{
    public const int RegistrationsPerIdentifier = 3;

    protected override void ConfigureService(IDictionary<string, string?> settings)
    {
        base.ConfigureService(settings);
        settings["Identity:RegistrationThrottle:PerIdentifier"] = RegistrationsPerIdentifier.ToString();
    }
}

/// <summary>Limits that rotating addresses cannot step around, and that strangers cannot turn against the owner.</summary>
public sealed class LoginLimitTests(LoginLimitFixture fx) : IClassFixture<LoginLimitFixture>
{
    private Task<HttpResponseMessage> Login(string identifier, string password, string from) => Send("/api/v1/auth/login", new { identifier, password }, from);

    private Task<HttpResponseMessage> Send(string path, object body, string from)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        request.Headers.Add("X-Forwarded-For", from);
        return fx.Client.SendAsync(request);
    }

    private static int RetryAfter(HttpResponseMessage response) => int.Parse(response.Headers.GetValues("Retry-After").Single());

    [Fact]
    public async Task A_strangers_failures_lock_other_addresses_out_but_not_the_owners_usual_one()
    {
        await fx.RegisterAsync("usual_owner");
        await (await Login("usual_owner", "correct-horse-9", "198.51.100.10")).AssertStatus(200);

        // Every guess from a new address: the per-account count still adds them up.
        for (var i = 0; i < 10; i++)
            await (await Login("usual_owner", "wrong-password-1", $"203.0.113.{20 + i}")).AssertProblem(401);
        var stranger = await Login("usual_owner", "correct-horse-9", "203.0.113.99");
        await stranger.AssertProblem(429);
        Assert.InRange(RetryAfter(stranger), 1, 15 * 60);

        await (await Login("usual_owner", "correct-horse-9", "198.51.100.10")).AssertStatus(200);
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
    public async Task Failures_are_counted_per_account_per_account_and_address_and_per_address()
    {
        var user = await fx.RegisterAsync("pair_counted");
        var id = user["user"]!["id"]!.GetValue<string>();

        await (await Login("pair_counted", "wrong-password-1", "192.0.2.44")).AssertProblem(401);

        Assert.Equal(1L, await fx.ScalarAsync<long>($"SELECT failures FROM login_failures WHERE key = 'account:{id}'"));
        Assert.Equal(1L, await fx.ScalarAsync<long>($"SELECT failures FROM login_failures WHERE key = 'account:{id}|ip:192.0.2.44'"));
        Assert.Equal(1L, await fx.ScalarAsync<long>("SELECT failures FROM login_failures WHERE key = 'ip:192.0.2.44'"));
    }

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

    [Fact]
    public async Task Registrations_naming_one_identifier_are_limited_whatever_the_address()
    {
        await (await Send("/api/v1/auth/register", new { username = "reg_limited", email = "reg_limited@example.com", password = "correct-horse-9" }, "192.0.2.60"))
            .AssertStatus(201);
        for (var i = 1; i < LoginLimitFixture.RegistrationsPerIdentifier; i++)
        {
            var again = await Send("/api/v1/auth/register", new { username = $"reg_other_{i}", email = "reg_limited@example.com", password = "correct-horse-9" }, $"192.0.2.{60 + i}");
            Assert.NotEqual(HttpStatusCode.TooManyRequests, again.StatusCode);
        }

        var refused = await Send("/api/v1/auth/register", new { username = "reg_other_last", email = "REG_limited@example.com", password = "correct-horse-9" }, "192.0.2.99");
        await refused.AssertProblem(429);
        Assert.InRange(RetryAfter(refused), 1, 3600);
        // Another identifier is not affected.
        await (await Send("/api/v1/auth/register", new { username = "reg_fresh", email = "reg_fresh@example.com", password = "correct-horse-9" }, "192.0.2.99"))
            .AssertStatus(201);
    }
}
