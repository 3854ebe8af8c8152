using Community.Gateway.Tests.Infrastructure;

namespace Community.Gateway.Tests;

public sealed class CorsFixture : GatewayFixture
{
    public const string AllowedOrigin = "https://app.example";

    protected override void Configure(IDictionary<string, string?> settings)
    {
        settings["Cors:AllowedOrigins:0"] = AllowedOrigin;
        settings["Cors:AllowedOrigins:1"] = "http://localhost:3000";
    }
}

public sealed class CorsTests(CorsFixture fixture) : IClassFixture<CorsFixture>
{
    private readonly CorsFixture _ = fixture;

    private HttpRequestMessage Preflight(string path, string origin, string method = "GET")
    {
        var request = _.Request(HttpMethod.Options, path);
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", method);
        request.Headers.Add("Access-Control-Request-Headers", "authorization,content-type");
        return request;
    }

    [Theory]
    [InlineData("/api/v1/events", "GET")]
    [InlineData("/api/v1/auth/login", "POST")]
    [InlineData("/api/v1/users/me", "PATCH")]
    [InlineData("/unknown/path", "DELETE")]
    public async Task A_preflight_from_an_allowed_origin_gets_the_cors_headers(string path, string method)
    {
        var response = await _.Client.SendAsync(Preflight(path, CorsFixture.AllowedOrigin, method));

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(CorsFixture.AllowedOrigin, response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains(method, response.Headers.GetValues("Access-Control-Allow-Methods").Single());
        var headers = response.Headers.GetValues("Access-Control-Allow-Headers").Single().ToLowerInvariant();
        Assert.Contains("authorization", headers);
        Assert.Contains("content-type", headers);
        Assert.False(response.Headers.Contains("Access-Control-Allow-Credentials"));
        Assert.True(response.Headers.Contains("X-Request-Id"));
        Assert.DoesNotContain(_.Backend.Received, r => r.Method == "OPTIONS");
    }

    [Fact]
    public async Task A_preflight_from_another_origin_gets_no_cors_headers()
    {
        var response = await _.Client.SendAsync(Preflight("/api/v1/events", "https://evil.example"));

        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
        Assert.False(response.Headers.Contains("Access-Control-Allow-Methods"));
    }

    [Fact]
    public async Task Responses_to_an_allowed_origin_expose_the_request_id()
    {
        var request = _.Request(HttpMethod.Get, "/api/v1/waitlist/status");
        request.Headers.Add("Origin", CorsFixture.AllowedOrigin);

        var response = await _.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(CorsFixture.AllowedOrigin, response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("X-Request-Id", response.Headers.GetValues("Access-Control-Expose-Headers").Single(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Error_responses_carry_cors_headers_so_the_browser_can_read_them()
    {
        var request = _.Request(HttpMethod.Get, "/api/v1/users/me");
        request.Headers.Add("Origin", CorsFixture.AllowedOrigin);

        var response = await _.Client.SendAsync(request);

        await GatewayFixture.ProblemOf(response, HttpStatusCode.Unauthorized);
        Assert.Equal(CorsFixture.AllowedOrigin, response.Headers.GetValues("Access-Control-Allow-Origin").Single());
    }
}
