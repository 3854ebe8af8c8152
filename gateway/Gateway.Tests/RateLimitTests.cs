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

/// <summary>A tiny per-address window of its own, for callers without a token.</summary>
public sealed class TokenlessRateLimitFixture : GatewayFixture
{
    public const int Limit = 3;

    protected override void Configure(IDictionary<string, string?> settings)
    {
        settings["RateLimits:PerIp:PermitLimit"] = Limit.ToString();
        settings["RateLimits:PerIp:WindowSeconds"] = "3600";
    }
}

public sealed class TokenlessRateLimitTests(TokenlessRateLimitFixture fixture)
    : IClassFixture<TokenlessRateLimitFixture>
{
    [Fact]
    public async Task Requests_refused_for_want_of_a_token_are_counted_in_the_callers_window()
    {
        for (var i = 0; i < TokenlessRateLimitFixture.Limit; i++)
            await GatewayFixture.ProblemOf(
                await fixture.SendAsync(HttpMethod.Get, "/api/v1/users/me"),
                HttpStatusCode.Unauthorized
            );

        var refused = await fixture.SendAsync(HttpMethod.Get, "/api/v1/conversations");
        await GatewayFixture.ProblemOf(refused, (HttpStatusCode)429);
        Assert.True(refused.Headers.RetryAfter is not null);
    }
}

/// <summary>A web client served at /app, with tiny per-address windows for it and for the API.</summary>
public sealed class WebClientRateLimitFixture : GatewayFixture
{
    public const int ApiLimit = 2;
    public const int FilesLimit = 5;

    public string Folder { get; } = Directory.CreateTempSubdirectory("web-client-limits-").FullName;

    protected override void Configure(IDictionary<string, string?> settings)
    {
        File.WriteAllText(Path.Combine(Folder, "index.html"), """<!doctype html><div id="app"></div>""");
        settings["WebClient:Root"] = Folder;
        settings["RateLimits:PerIp:PermitLimit"] = ApiLimit.ToString();
        settings["RateLimits:PerIp:WindowSeconds"] = "3600";
        settings["RateLimits:WebClientFiles:PermitLimit"] = FilesLimit.ToString();
        settings["RateLimits:WebClientFiles:WindowSeconds"] = "3600";
    }
}

public sealed class WebClientRateLimitTests(WebClientRateLimitFixture fixture)
    : IClassFixture<WebClientRateLimitFixture>
{
    [Fact]
    public async Task The_apps_pages_from_one_address_have_a_window_apart_from_its_anonymous_api_calls()
    {
        // a first visit: the pages spend nothing of what signing in needs
        for (var i = 0; i < WebClientRateLimitFixture.FilesLimit; i++)
            Assert.Equal(HttpStatusCode.OK, (await fixture.SendAsync(HttpMethod.Get, "/app/")).StatusCode);
        await GatewayFixture.ProblemOf(await fixture.SendAsync(HttpMethod.Get, "/app/"), (HttpStatusCode)429);

        for (var i = 0; i < WebClientRateLimitFixture.ApiLimit; i++)
            Assert.Equal(
                HttpStatusCode.OK,
                (await fixture.SendAsync(HttpMethod.Get, "/api/v1/auth/external/providers")).StatusCode
            );
        var refused = await fixture.SendAsync(HttpMethod.Get, "/api/v1/auth/external/providers");
        await GatewayFixture.ProblemOf(refused, (HttpStatusCode)429);
        Assert.True(refused.Headers.RetryAfter is not null);
    }
}

/// <summary>Tiny per-route policies; the global limits stay at their generous defaults.</summary>
public sealed class PolicyRateLimitFixture : GatewayFixture
{
    public const int Limit = 2;

    protected override void Configure(IDictionary<string, string?> settings)
    {
        foreach (var policy in new[] { "Registrations", "Password", "Waitlist", "Login", "Uploads" })
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
        Assert.Equal(
            HttpStatusCode.OK,
            (await _.SendAsync(HttpMethod.Get, "/api/v1/auth/external/providers")).StatusCode
        );
    }

    [Fact]
    public async Task Joining_the_waitlist_and_asking_ones_place_by_email_share_one_per_ip_limit()
    {
        Assert.Equal(HttpStatusCode.OK, (await _.SendAsync(HttpMethod.Post, "/api/v1/waitlist")).StatusCode);
        Assert.Equal(
            HttpStatusCode.OK,
            (await _.SendAsync(HttpMethod.Get, "/api/v1/waitlist/status?email=a%40example.com")).StatusCode
        );

        var refused = await _.SendAsync(HttpMethod.Post, "/api/v1/waitlist");

        await GatewayFixture.ProblemOf(refused, (HttpStatusCode)429);
        Assert.True(int.Parse(refused.Headers.GetValues("Retry-After").Single()) > 0);
        await GatewayFixture.ProblemOf(
            await _.SendAsync(HttpMethod.Get, "/api/v1/waitlist/status?email=b%40example.com"),
            (HttpStatusCode)429
        );
        await GatewayFixture.ProblemOf(
            await _.SendAsync(HttpMethod.Get, "/api/v1/waitlist/status?EMAIL=c%40example.com&token=abc"),
            (HttpStatusCode)429
        );
        // The mailed link (its token) mails nothing: people behind one address still open theirs.
        for (var i = 0; i < 3; i++)
            Assert.Equal(
                HttpStatusCode.OK,
                (await _.SendAsync(HttpMethod.Get, "/api/v1/waitlist/status?token=abc")).StatusCode
            );
    }
}

public sealed class UploadRateLimitTests(PolicyRateLimitFixture fixture) : IClassFixture<PolicyRateLimitFixture>
{
    private readonly PolicyRateLimitFixture _ = fixture;

    [Fact]
    public async Task Uploads_have_one_budget_per_user_across_the_upload_and_course_routes()
    {
        var eventId = Guid.NewGuid();
        (HttpMethod Method, string Path)[] uploads =
        [
            (HttpMethod.Post, $"/api/v1/events/{eventId}/photos"),
            (HttpMethod.Put, $"/api/v1/events/{eventId}/cover"),
            (HttpMethod.Put, "/api/v1/users/me/picture"),
            (HttpMethod.Post, $"/api/v1/conversations/{Guid.NewGuid()}/attachments"),
            // a course's body may hold 8 MiB
            (HttpMethod.Post, "/api/v1/courses"),
            (HttpMethod.Patch, $"/api/v1/courses/{Guid.NewGuid()}"),
        ];
        var member = _.Tokens.Issue(subject: Guid.NewGuid().ToString());
        foreach (var (method, path) in uploads[..PolicyRateLimitFixture.Limit])
            Assert.Equal(HttpStatusCode.OK, (await _.SendAsync(method, path, member)).StatusCode);
        foreach (var (method, path) in uploads[PolicyRateLimitFixture.Limit..])
        {
            var refused = await _.SendAsync(method, path, member);
            await GatewayFixture.ProblemOf(refused, (HttpStatusCode)429);
            Assert.True(int.Parse(refused.Headers.GetValues("Retry-After").Single()) > 0);
        }

        // The member's other requests are not counted against it, nor is another member from the same address.
        Assert.Equal(
            HttpStatusCode.OK,
            (await _.SendAsync(HttpMethod.Get, $"/api/v1/events/{eventId}", member)).StatusCode
        );
        Assert.Equal(
            HttpStatusCode.OK,
            (await _.SendAsync(HttpMethod.Get, $"/api/v1/events/{eventId}/photos", member)).StatusCode
        );
        var other = _.Tokens.Issue(subject: Guid.NewGuid().ToString());
        foreach (var (method, path) in uploads[^PolicyRateLimitFixture.Limit..])
            Assert.Equal(HttpStatusCode.OK, (await _.SendAsync(method, path, other)).StatusCode);
    }
}

/// <summary>
/// The gateway behind a trusted proxy (the test client plays the ingress controller, as in
/// Kubernetes): per-IP limits key on the forwarded address; login and registration also have
/// a ceiling across all addresses.
/// </summary>
public class TrustedProxyRateLimitFixture : GatewayFixture
{
    public const int PerIp = 2;
    public const int Ceiling = 5;

    protected override void Configure(IDictionary<string, string?> settings)
    {
        settings["Http:TrustedNetworks:0"] = "127.0.0.1";
        foreach (var policy in new[] { "Registrations", "Password", "Login" })
        {
            settings[$"RateLimits:{policy}:PermitLimit"] = PerIp.ToString();
            settings[$"RateLimits:{policy}:WindowSeconds"] = "3600";
        }
        foreach (var ceiling in new[] { "RegistrationsCeiling", "LoginCeiling" })
        {
            settings[$"RateLimits:{ceiling}:PermitLimit"] = Ceiling.ToString();
            settings[$"RateLimits:{ceiling}:WindowSeconds"] = "3600";
        }
        settings["RateLimits:CeilingSpares"] = "1";
    }

    public Task<HttpResponseMessage> SendFromAsync(HttpMethod method, string path, string forwardedFor)
    {
        var request = Request(method, path);
        request.Headers.Add("X-Forwarded-For", forwardedFor);
        return Client.SendAsync(request);
    }
}

public sealed class TrustedProxyRateLimitTests(TrustedProxyRateLimitFixture fixture)
    : IClassFixture<TrustedProxyRateLimitFixture>
{
    private readonly TrustedProxyRateLimitFixture _ = fixture;

    [Fact]
    public async Task Per_ip_limits_key_on_the_address_the_trusted_proxy_forwards()
    {
        for (var i = 0; i < TrustedProxyRateLimitFixture.PerIp; i++)
            Assert.Equal(
                HttpStatusCode.OK,
                (await _.SendFromAsync(HttpMethod.Post, "/api/v1/auth/password/forgot", "192.0.2.1")).StatusCode
            );
        await GatewayFixture.ProblemOf(
            await _.SendFromAsync(HttpMethod.Post, "/api/v1/auth/password/forgot", "192.0.2.1"),
            (HttpStatusCode)429
        );

        // Another client behind the same proxy has its own budget, and the service is told who it is.
        var other = await GatewayFixture.EchoOf(
            await _.SendFromAsync(HttpMethod.Post, "/api/v1/auth/password/forgot", "192.0.2.2")
        );
        Assert.Equal("192.0.2.2", other.Header("X-Forwarded-For"));
    }

    [Fact]
    public async Task Only_the_last_hop_counts_so_rewriting_earlier_entries_gains_nothing()
    {
        for (var i = 0; i < TrustedProxyRateLimitFixture.PerIp; i++)
            Assert.Equal(
                HttpStatusCode.OK,
                (
                    await _.SendFromAsync(HttpMethod.Post, "/api/v1/auth/password/reset", $"10.0.0.{i}, 192.0.2.3")
                ).StatusCode
            );
        await GatewayFixture.ProblemOf(
            await _.SendFromAsync(HttpMethod.Post, "/api/v1/auth/password/reset", "10.0.0.99, 192.0.2.3"),
            (HttpStatusCode)429
        );
    }

    [Theory]
    [InlineData("/api/v1/auth/login", 10)]
    [InlineData("/api/v1/auth/register", 20)]
    public async Task Login_and_registration_have_a_ceiling_that_spares_each_address_only_its_first_requests(
        string path,
        int subnet
    )
    {
        for (var i = 0; i < TrustedProxyRateLimitFixture.Ceiling; i++)
            Assert.Equal(
                HttpStatusCode.OK,
                (await _.SendFromAsync(HttpMethod.Post, path, $"198.51.{subnet}.{i}")).StatusCode
            );

        // Spent by many addresses, the ceiling still admits a newcomer's first request (someone signing in once
        // during a flood), and refuses what the address sends past it, although its own limit has room.
        Assert.Equal(
            HttpStatusCode.OK,
            (await _.SendFromAsync(HttpMethod.Post, path, $"198.51.{subnet}.200")).StatusCode
        );
        var refused = await _.SendFromAsync(HttpMethod.Post, path, $"198.51.{subnet}.200");

        await GatewayFixture.ProblemOf(refused, (HttpStatusCode)429);
        Assert.True(int.Parse(refused.Headers.GetValues("Retry-After").Single()) > 0);
        // Spared first requests are bounded too, at as many again as the ceiling: rotating through more addresses
        // than that is held back whole, though each is in a network of its own.
        for (var i = 1; i < TrustedProxyRateLimitFixture.Ceiling; i++)
            Assert.Equal(
                HttpStatusCode.OK,
                (await _.SendFromAsync(HttpMethod.Post, path, $"198.51.{subnet + i}.{210 + i}")).StatusCode
            );
        await GatewayFixture.ProblemOf(
            await _.SendFromAsync(HttpMethod.Post, path, $"198.51.{subnet + 5}.220"),
            (HttpStatusCode)429
        );
        // The ceiling is per route: password requests from a new address still pass.
        Assert.Equal(
            HttpStatusCode.OK,
            (await _.SendFromAsync(HttpMethod.Post, "/api/v1/auth/password/forgot", $"198.51.{subnet}.201")).StatusCode
        );
    }
}

/// <summary>
/// The trusted proxy's limits with a ceiling whose spares outnumber one network's share of them (a /48 of IPv6, a /24
/// of IPv4).
/// </summary>
public sealed class NetworkSparesRateLimitFixture : TrustedProxyRateLimitFixture
{
    public new const int Ceiling = 8;
    public const int SparesPerNetwork = 2;

    protected override void Configure(IDictionary<string, string?> settings)
    {
        base.Configure(settings);
        foreach (var ceiling in new[] { "RegistrationsCeiling", "LoginCeiling" })
            settings[$"RateLimits:{ceiling}:PermitLimit"] = Ceiling.ToString();
        settings["RateLimits:CeilingSparesPerNetwork"] = SparesPerNetwork.ToString();
    }
}

public sealed class NetworkSparesRateLimitTests(NetworkSparesRateLimitFixture fixture)
    : IClassFixture<NetworkSparesRateLimitFixture>
{
    private readonly NetworkSparesRateLimitFixture _ = fixture;

    [Theory]
    [InlineData("/api/v1/auth/login", 10)]
    [InlineData("/api/v1/auth/register", 20)]
    public async Task One_network_has_only_its_share_of_a_spent_ceilings_spares(string path, int site)
    {
        for (var i = 0; i < NetworkSparesRateLimitFixture.Ceiling; i++)
            Assert.Equal(
                HttpStatusCode.OK,
                (await _.SendFromAsync(HttpMethod.Post, path, $"192.0.{site}.{i}")).StatusCode
            );

        // A home's /56 holds 256 /64s, each keyed as an address of its own (and a /24 256 IPv4 addresses): their first
        // requests pass up to the network's share, not until the spares are spent.
        foreach (var addresses in NetworkFloods.Of(site))
        {
            var statuses = new List<HttpStatusCode>();
            foreach (var address in addresses)
                statuses.Add((await _.SendFromAsync(HttpMethod.Post, path, address)).StatusCode);
            Assert.Equal(NetworkFloods.Answers(NetworkSparesRateLimitFixture.SparesPerNetwork), statuses);
        }

        // So someone signing in once from another network still passes while the floods go on.
        Assert.Equal(
            HttpStatusCode.OK,
            (await _.SendFromAsync(HttpMethod.Post, path, $"2001:db8:{site + 1}::1")).StatusCode
        );
        Assert.Equal(
            HttpStatusCode.OK,
            (await _.SendFromAsync(HttpMethod.Post, path, $"198.51.{site + 1}.1")).StatusCode
        );
    }
}

/// <summary>One network's flood of first requests: many /64s of one /48, and many addresses of one /24.</summary>
internal static class NetworkFloods
{
    public const int Size = 10;

    /// <summary>The two floods of <paramref name="site"/>: 2001:db8:site::/48 and 198.51.site.0/24.</summary>
    public static string[][] Of(int site) =>
        [
            [.. Enumerable.Range(0, Size).Select(i => $"2001:db8:{site}:{i:x2}00::1")],
            [.. Enumerable.Range(0, Size).Select(i => $"198.51.{site}.{i}")],
        ];

    /// <summary>What a spent ceiling answers a flood: its network's share passes, the rest is refused.</summary>
    public static HttpStatusCode[] Answers(int share) =>
        [.. Enumerable.Repeat(HttpStatusCode.OK, share), .. Enumerable.Repeat((HttpStatusCode)429, Size - share)];
}

/// <summary>
/// No trusted proxy (the default): a client's own X-Forwarded-For is ignored; refused tokens are limited.
/// </summary>
public sealed class UntrustedSenderRateLimitFixture : GatewayFixture
{
    public const int Limit = 2;

    protected override void Configure(IDictionary<string, string?> settings)
    {
        settings["RateLimits:Login:PermitLimit"] = Limit.ToString();
        settings["RateLimits:Login:WindowSeconds"] = "3600";
        settings["RateLimits:InvalidTokens:PermitLimit"] = Limit.ToString();
        settings["RateLimits:InvalidTokens:WindowSeconds"] = "3600";
    }
}

public sealed class UntrustedSenderRateLimitTests(UntrustedSenderRateLimitFixture fixture)
    : IClassFixture<UntrustedSenderRateLimitFixture>
{
    private readonly UntrustedSenderRateLimitFixture _ = fixture;

    [Fact]
    public async Task A_rotated_x_forwarded_for_from_an_untrusted_sender_is_ignored()
    {
        HttpRequestMessage Login(int i)
        {
            var request = _.Request(HttpMethod.Post, "/api/v1/auth/login");
            request.Headers.Add("X-Forwarded-For", $"203.0.113.{i}");
            return request;
        }

        var first = await GatewayFixture.EchoOf(await _.Client.SendAsync(Login(1)));
        Assert.Equal("127.0.0.1", first.Header("X-Forwarded-For")!.Split(',').Last().Trim());
        Assert.Equal(HttpStatusCode.OK, (await _.Client.SendAsync(Login(2))).StatusCode);

        await GatewayFixture.ProblemOf(await _.Client.SendAsync(Login(3)), (HttpStatusCode)429);
    }

    [Fact]
    public async Task Requests_with_invalid_tokens_are_rate_limited()
    {
        var forged = _.Tokens.Issue(subject: "not-a-user-id");
        for (var i = 0; i < UntrustedSenderRateLimitFixture.Limit; i++)
            await GatewayFixture.ProblemOf(
                await _.SendAsync(HttpMethod.Get, "/api/v1/events", forged),
                HttpStatusCode.Unauthorized
            );

        var refused = await _.SendAsync(HttpMethod.Get, "/api/v1/events", forged);

        await GatewayFixture.ProblemOf(refused, (HttpStatusCode)429);
        Assert.True(int.Parse(refused.Headers.GetValues("Retry-After").Single()) > 0);
        // A valid token is not counted and still passes.
        Assert.Equal(
            HttpStatusCode.OK,
            (await _.SendAsync(HttpMethod.Get, "/api/v1/events", _.Tokens.Issue())).StatusCode
        );
    }
}

/// <summary>Payments behind the fake backend, with the default windows.</summary>
public sealed class StripeWebhookRateLimitFixture : GatewayFixture
{
    protected override void Configure(IDictionary<string, string?> settings) =>
        settings[$"Services:{Contracts.ResourceNames.Payments}"] = Backend.BaseAddress.ToString().TrimEnd('/');
}

public sealed class StripeWebhookRateLimitTests(StripeWebhookRateLimitFixture fixture)
    : IClassFixture<StripeWebhookRateLimitFixture>
{
    [Fact]
    public async Task A_burst_of_stripes_webhooks_from_one_address_has_a_window_apart_from_the_anonymous_one()
    {
        // more than the anonymous callers' window (300 a minute): Stripe backs off on a 429
        var before = fixture.Backend.Received.Count;
        for (var i = 0; i < 400; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/stripe")
            {
                Content = JsonContent.Create(new { id = $"evt_{i}" }),
            };
            request.Headers.TryAddWithoutValidation("Stripe-Signature", $"t=1,v1=sig{i}");
            using var response = await fixture.Client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        Assert.Equal(before + 400, fixture.Backend.Received.Count);

        // the anonymous window of that address is untouched by them, and still holds
        for (var i = 0; i < 300; i++)
            Assert.Equal(
                HttpStatusCode.OK,
                (await fixture.SendAsync(HttpMethod.Get, "/api/v1/waitlist/status")).StatusCode
            );
        await GatewayFixture.ProblemOf(
            await fixture.SendAsync(HttpMethod.Get, "/api/v1/waitlist/status"),
            (HttpStatusCode)429
        );
    }
}
