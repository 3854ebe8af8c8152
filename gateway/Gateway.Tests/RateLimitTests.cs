using Community.Gateway.Tests.Infrastructure;

namespace Community.Gateway.Tests;

/// <summary>Tiny global limits; hour-long windows so nothing replenishes while a test runs.</summary>
public sealed class GlobalRateLimitFixture : GatewayFixture
{
    public const int Limit = 4;

    protected override void Configure(IDictionary<string, string?> settings)
    {
        settings["RateLimits:PerIp:PermitLimit"] = Limit.ToString();
        settings["RateLimits:PerIp:WindowSeconds"] = "3600";
        settings["RateLimits:PerUser:PermitLimit"] = Limit.ToString();
        settings["RateLimits:PerUser:WindowSeconds"] = "3600";
    }
}

public sealed class GlobalRateLimitTests(GlobalRateLimitFixture fixture) : IClassFixture<GlobalRateLimitFixture>
{
    private readonly GlobalRateLimitFixture _ = fixture;

    [Fact]
    public async Task Anonymous_callers_are_limited_per_ip_and_health_is_exempt()
    {
        for (var i = 0; i < GlobalRateLimitFixture.Limit; i++)
            Assert.Equal(HttpStatusCode.OK, (await _.SendAsync(HttpMethod.Get, "/api/v1/waitlist/status")).StatusCode);

        var refused = await _.SendAsync(HttpMethod.Get, "/api/v1/waitlist/status");

        await GatewayFixture.ProblemOf(refused, (HttpStatusCode)429);
        Assert.True(int.Parse(refused.Headers.GetValues("Retry-After").Single()) > 0);
        Assert.True(refused.Headers.Contains("X-Request-Id"));
        Assert.Equal(HttpStatusCode.OK, (await _.SendAsync(HttpMethod.Get, "/health/live")).StatusCode);
    }

    [Fact]
    public async Task Authenticated_callers_are_limited_per_user_not_per_ip()
    {
        var busy = _.Tokens.Issue(subject: Guid.NewGuid().ToString());
        for (var i = 0; i < GlobalRateLimitFixture.Limit; i++)
            Assert.Equal(HttpStatusCode.OK, (await _.SendAsync(HttpMethod.Get, "/api/v1/events", busy)).StatusCode);

        var refused = await _.SendAsync(HttpMethod.Get, "/api/v1/events", busy);
        await GatewayFixture.ProblemOf(refused, (HttpStatusCode)429);
        Assert.True(refused.Headers.RetryAfter is not null);

        // Same IP, another user: a budget of their own.
        var other = _.Tokens.Issue(subject: Guid.NewGuid().ToString());
        Assert.Equal(HttpStatusCode.OK, (await _.SendAsync(HttpMethod.Get, "/api/v1/events", other)).StatusCode);
    }
}

/// <summary>Tiny per-route policies; the global limits stay at their generous defaults.</summary>
public sealed class PolicyRateLimitFixture : GatewayFixture
{
    public const int Limit = 2;

    protected override void Configure(IDictionary<string, string?> settings)
    {
        foreach (var policy in new[] { "Registrations", "Password", "Login" })
        {
            settings[$"RateLimits:{policy}:PermitLimit"] = Limit.ToString();
            settings[$"RateLimits:{policy}:WindowSeconds"] = "3600";
        }
    }
}

public sealed class PolicyRateLimitTests(PolicyRateLimitFixture fixture) : IClassFixture<PolicyRateLimitFixture>
{
    private readonly PolicyRateLimitFixture _ = fixture;

    [Theory]
    [InlineData("/api/v1/auth/register", "/api/v1/auth/register")]
    [InlineData("/api/v1/auth/login", "/api/v1/auth/login")]
    [InlineData("/api/v1/auth/password/forgot", "/api/v1/auth/password/reset")] // one budget for both
    public async Task Sensitive_anonymous_routes_have_their_own_per_ip_limit(string first, string then)
    {
        for (var i = 0; i < PolicyRateLimitFixture.Limit; i++)
            Assert.Equal(HttpStatusCode.OK, (await _.SendAsync(HttpMethod.Post, first)).StatusCode);

        var refused = await _.SendAsync(HttpMethod.Post, then);

        await GatewayFixture.ProblemOf(refused, (HttpStatusCode)429);
        Assert.True(int.Parse(refused.Headers.GetValues("Retry-After").Single()) > 0);
        // Other anonymous routes are not affected.
        Assert.Equal(HttpStatusCode.OK, (await _.SendAsync(HttpMethod.Get, "/api/v1/waitlist/status")).StatusCode);
    }
}
