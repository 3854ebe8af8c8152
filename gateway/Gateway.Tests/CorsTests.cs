using System.Text.Json.Nodes;
using Community.Contracts;
using Community.LocalInfrastructure;

namespace Community.Gateway.Tests;

public sealed class CorsFixture : GatewayFixture
{
    public const string AllowedOrigin = "https://app.example";

    protected override void Configure(IDictionary<string, string?> settings)
    {
        settings["Cors:AllowedOrigins:0"] = AllowedOrigin;
        settings["Cors:AllowedOrigins:1"] = "http://localhost:3000";
        // Two instances of messaging (the one backend twice): YARP sets the affinity cookie only when it has a choice.
        var messaging = $"Services:{ResourceNames.Messaging}";
        settings[messaging] = settings[messaging] + ";" + settings[messaging];
    }
}

public sealed class CorsTests(CorsFixture fixture) : IClassFixture<CorsFixture>
{
    private readonly CorsFixture _ = fixture;

    private HttpRequestMessage Preflight(
        string path,
        string origin,
        string method = "GET",
        string requestHeaders = "authorization,content-type"
    )
    {
        var request = _.Request(HttpMethod.Options, path);
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", method);
        request.Headers.Add("Access-Control-Request-Headers", requestHeaders);
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
        Assert.Equal("true", response.Headers.GetValues("Access-Control-Allow-Credentials").Single());
        Assert.True(response.Headers.Contains("X-Request-Id"));
        Assert.DoesNotContain(_.Backend.Received, r => r.Method == "OPTIONS");
    }

    [Theory]
    [InlineData("/api/v1/credits/spend")]
    [InlineData("/api/v1/payments/5f0c2a4e-8d1b-4c3a-9e7f-2b6d1a0c9e84/refunds")]
    public async Task A_preflight_for_a_spend_or_refund_allows_the_idempotency_key(string path)
    {
        var response = await _.Client.SendAsync(
            Preflight(
                path,
                CorsFixture.AllowedOrigin,
                "POST",
                "authorization,content-type,idempotency-key,x-request-id"
            )
        );

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(CorsFixture.AllowedOrigin, response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("POST", response.Headers.GetValues("Access-Control-Allow-Methods").Single());
        var allowed = response
            .Headers.GetValues("Access-Control-Allow-Headers")
            .Single()
            .ToLowerInvariant()
            .Split(',', StringSplitOptions.TrimEntries);
        Assert.Contains("authorization", allowed);
        Assert.Contains("content-type", allowed);
        Assert.Contains("idempotency-key", allowed);
        Assert.Contains("x-request-id", allowed);
        Assert.DoesNotContain(_.Backend.Received, r => r.Method == "OPTIONS");
    }

    // A browser app sends what the contract documents (If-None-Match on a picture, Idempotency-Key on a create): a
    // header the preflight does not grant blocks the whole request, not only the header.
    [Fact]
    public async Task A_preflight_grants_every_header_parameter_the_contract_documents()
    {
        var contract = Path.Combine(RepositoryRoot.Find(), "clients", "typescript", "contract");
        var documented = Directory
            .GetFiles(contract, "*.openapi.json")
            .SelectMany(file => JsonNode.Parse(File.ReadAllText(file))!["paths"]!.AsObject())
            .SelectMany(path => path.Value!.AsObject().Select(operation => operation.Value))
            .SelectMany(operation => operation?["parameters"]?.AsArray() ?? [])
            .Where(parameter => parameter!["in"]!.GetValue<string>() == "header")
            .Select(parameter => parameter!["name"]!.GetValue<string>().ToLowerInvariant())
            .Distinct()
            .Order()
            .ToList();
        Assert.Contains("if-none-match", documented);

        var response = await _.Client.SendAsync(
            Preflight(
                "/api/v1/users/5f0c2a4e-8d1b-4c3a-9e7f-2b6d1a0c9e84/picture",
                CorsFixture.AllowedOrigin,
                "GET",
                string.Join(',', documented.Prepend("authorization"))
            )
        );

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        var allowed = response
            .Headers.GetValues("Access-Control-Allow-Headers")
            .Single()
            .ToLowerInvariant()
            .Split(',', StringSplitOptions.TrimEntries);
        Assert.All(documented, header => Assert.Contains(header, allowed));
    }

    // ASP.NET Core answers with the policy's list, not an echo of the request; the browser then refuses what is
    // missing. This keeps the test above honest: an echo would pass it whatever the policy said.
    [Fact]
    public async Task A_preflight_asking_for_an_unlisted_header_is_not_granted_it()
    {
        var response = await _.Client.SendAsync(
            Preflight("/api/v1/credits/spend", CorsFixture.AllowedOrigin, "POST", "authorization,x-not-ours")
        );

        var allowed = response
            .Headers.GetValues("Access-Control-Allow-Headers")
            .Single()
            .ToLowerInvariant()
            .Split(',', StringSplitOptions.TrimEntries);
        Assert.Contains("authorization", allowed);
        Assert.DoesNotContain("x-not-ours", allowed);
    }

    [Theory]
    [InlineData("/api/v1/events")]
    [InlineData("/hubs/chat/negotiate")]
    public async Task A_preflight_from_another_origin_gets_no_cors_headers(string path)
    {
        var response = await _.Client.SendAsync(Preflight(path, "https://evil.example", "POST"));

        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
        Assert.False(response.Headers.Contains("Access-Control-Allow-Methods"));
        Assert.False(response.Headers.Contains("Access-Control-Allow-Credentials"));
    }

    // What SignalR's browser client sends by default: a credentialed POST to negotiate, with these two headers.
    [Fact]
    public async Task A_preflight_for_a_hub_negotiation_allows_credentials_and_signalrs_headers()
    {
        var response = await _.Client.SendAsync(
            Preflight(
                "/hubs/chat/negotiate",
                "http://localhost:3000",
                "POST",
                "authorization,x-requested-with,x-signalr-user-agent"
            )
        );

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal("http://localhost:3000", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Equal("true", response.Headers.GetValues("Access-Control-Allow-Credentials").Single());
        var allowed = response
            .Headers.GetValues("Access-Control-Allow-Headers")
            .Single()
            .ToLowerInvariant()
            .Split(',', StringSplitOptions.TrimEntries);
        Assert.Contains("x-requested-with", allowed);
        Assert.Contains("x-signalr-user-agent", allowed);
    }

    // The browser stores the affinity cookie only from an answer allowing credentials, and sends it back on the
    // WebSocket from a page of the same site (another port of localhost): SameSite=Lax suffices there.
    [Fact]
    public async Task A_hub_negotiation_from_an_allowed_origin_allows_credentials_and_sets_the_affinity_cookie()
    {
        var request = _.Request(HttpMethod.Post, "/hubs/chat/negotiate?negotiateVersion=1", _.Tokens.Issue());
        request.Headers.Add("Origin", "http://localhost:3000");
        // A client of its own: the shared one keeps the cookie an earlier test was given, and then none is set.
        using var browser = new HttpClient { BaseAddress = _.Gateway.Address };

        var response = await browser.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("http://localhost:3000", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Equal("true", response.Headers.GetValues("Access-Control-Allow-Credentials").Single());
        var cookie = Assert.Single(
            response.Headers.GetValues("Set-Cookie"),
            c => c.StartsWith(GatewayProxyConfig.AffinityCookie + "=", StringComparison.Ordinal)
        );
        Assert.Contains("samesite=lax", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_request_from_another_origin_gets_no_cors_headers_so_the_browser_withholds_the_answer()
    {
        var request = _.Request(HttpMethod.Post, "/hubs/chat/negotiate?negotiateVersion=1", _.Tokens.Issue());
        request.Headers.Add("Origin", "http://localhost:3001");

        var response = await _.Client.SendAsync(request);

        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
        Assert.False(response.Headers.Contains("Access-Control-Allow-Credentials"));
    }

    [Fact]
    public async Task Responses_to_an_allowed_origin_expose_the_request_id()
    {
        var request = _.Request(HttpMethod.Get, "/api/v1/waitlist/status");
        request.Headers.Add("Origin", CorsFixture.AllowedOrigin);

        var response = await _.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(CorsFixture.AllowedOrigin, response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Equal("true", response.Headers.GetValues("Access-Control-Allow-Credentials").Single());
        var exposed = response.Headers.GetValues("Access-Control-Expose-Headers").Single();
        Assert.Contains("X-Request-Id", exposed, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Retry-After", exposed, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Location", exposed, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("WWW-Authenticate", exposed, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("ETag", exposed, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Idempotent-Replayed", exposed, StringComparison.OrdinalIgnoreCase);
    }

    // A browser caches an answer fetched without Origin (an <img>) and would serve it to the web client's fetch,
    // whose answer needs Access-Control-Allow-Origin: every answer says it varies by Origin, once.
    [Theory]
    [InlineData("/api/v1/waitlist/status", null)]
    [InlineData("/api/v1/waitlist/status", CorsFixture.AllowedOrigin)]
    [InlineData("/api/v1/users/me", null)]
    [InlineData("/api/v1/users/me", CorsFixture.AllowedOrigin)]
    [InlineData("/api/v1/waitlist/status", "http://localhost:3001")]
    public async Task Every_answer_varies_by_origin(string path, string? origin)
    {
        var request = _.Request(HttpMethod.Get, path);
        if (origin is not null)
            request.Headers.Add("Origin", origin);

        var response = await _.Client.SendAsync(request);

        var varies = response
            .Headers.Vary.SelectMany(v => v.Split(',', StringSplitOptions.TrimEntries))
            .Where(v => v.Equals("Origin", StringComparison.OrdinalIgnoreCase));
        Assert.Single(varies);
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
