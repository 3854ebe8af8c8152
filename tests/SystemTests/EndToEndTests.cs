extern alias EventsApi;
extern alias GatewayApp;
extern alias IdentityApi;
using System.Security.Cryptography;
using EventsProgram = EventsApi::Program;
using GatewayProgram = GatewayApp::Program;
using IdentityProgram = IdentityApi::Program;

namespace Community.SystemTests;

/// <summary>
/// The real identity and events services (each with its own database, on one vhost) behind the real
/// gateway, driven only through the gateway; events checks tokens against identity's JWKS.
/// </summary>
public sealed class EndToEndFixture() : ServiceFixture<IdentityProgram>(ResourceNames.Identity)
{
    public IsolatedResources EventsResources { get; private set; } = null!;
    public ServiceHost<EventsProgram> Events { get; private set; } = null!;
    public ServiceHost<GatewayProgram> Gateway { get; private set; } = null!;

    /// <summary>Identity signs the tokens here, as in production.</summary>
    protected override bool TrustsTestTokens => false;

    public const string AdminUsername = "e2e_admin";
    public readonly string AdminPassword = "Adm1n-" + Guid.NewGuid().ToString("N");

    /// <summary>
    /// The key of identity's revocation feed, shared with the gateway and events as AppHost shares it.
    /// </summary>
    public readonly string FeedKey = Guid.NewGuid().ToString("N");

    /// <summary>Identity's e-mail (registration links), caught as a member's mailbox would.</summary>
    public SmtpSink Smtp { get; } = new();

    protected override void ConfigureService(IDictionary<string, string?> settings)
    {
        settings["Revocations:FeedKey"] = FeedKey;
        settings["Smtp:Host"] = "127.0.0.1";
        settings["Smtp:Port"] = Smtp.Port.ToString();
        settings["Smtp:EnableSsl"] = "false";
        settings["Identity:Admins:0:Username"] = AdminUsername;
        settings["Identity:Admins:0:Email"] = "e2e-admin@community.test";
        settings["Identity:Admins:0:Password"] = AdminPassword;
    }

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        EventsResources = await TestInfrastructure.IsolateAsync(nameof(EndToEndTests) + "Events");
        // On identity's vhost: events hears identity's events (session ends among them) as in production.
        Events = BehindIdentity.StartService<EventsProgram>(
            ResourceNames.Events,
            EventsResources,
            Resources.BrokerUri,
            Host.BaseAddress,
            FeedKey
        );
        // Its per-instance queue must be bound before a test ends a session, or only the feed's backstop would tell it.
        await BusReadyAsync(Events);
        Gateway = BehindIdentity.StartGateway(Host.BaseAddress, ResourceNames.Events, Events.BaseAddress, FeedKey);
        Client.Dispose();
        Client = BehindIdentity.ClientOf(Gateway);
    }

    public override async Task DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await Events.DisposeAsync();
        await EventsResources.DisposeAsync();
        await base.DisposeAsync();
        await Smtp.DisposeAsync();
    }
}

public sealed partial class EndToEndTests(EndToEndFixture fx) : IClassFixture<EndToEndFixture>
{
    private HttpClient Client => fx.Client;

    private Task<JsonNode> RegisterAsync(string username, string? role = null) =>
        RegisterAsync(
            new
            {
                username,
                email = $"{username}@example.com",
                password = "correct-horse-9",
                role,
            },
            $"{username}@example.com"
        );

    /// <summary>
    /// Registers (201, signed in), then follows the link mailed to the address to confirm it, as a new member does; the
    /// 201 body with the confirmed user.
    /// </summary>
    private async Task<JsonNode> RegisterAsync(object request, string email)
    {
        var registered = await (await Client.PostJson("/api/v1/auth/register", request)).AssertStatus(201);
        Assert.False(registered["user"]!["email_verified"]!.GetValue<bool>());
        var mail = await fx.Smtp.WaitForAsync(email);
        var token = System.Text.RegularExpressions.Regex.Match(mail.Body, @"Confirmation token: (\S+)").Groups[1].Value;
        var confirmed = await (await Client.PostJson("/api/v1/auth/register/confirm", new { token })).AssertStatus(200);
        Assert.True(confirmed["email_verified"]!.GetValue<bool>());
        registered["user"]!["email_verified"] = true;
        return registered;
    }

    [Fact]
    public async Task A_member_signs_up_and_uses_the_platform_through_the_gateway()
    {
        var registered = await RegisterAsync("e2e_member");
        var access = registered["access_token"]!.GetValue<string>();

        var me = await (await Client.Get("/api/v1/auth/me", access)).AssertStatus(200);
        Assert.Equal("e2e_member", me["username"]!.GetValue<string>());

        var patched = await (
            await Client.SendJson(
                HttpMethod.Patch,
                "/api/v1/users/me",
                new { city = "Dubai", interests = new[] { "hiking" } },
                access
            )
        ).AssertStatus(200);
        Assert.Equal("Dubai", patched["city"]!.GetValue<string>());

        var login = await (
            await Client.PostJson(
                "/api/v1/auth/login",
                new { identifier = "e2e_member@example.com", password = "correct-horse-9" }
            )
        ).AssertStatus(200);
        var refreshed = await (
            await Client.PostJson(
                "/api/v1/auth/refresh",
                new { refresh_token = login["refresh_token"]!.GetValue<string>() }
            )
        ).AssertStatus(200);
        await (await Client.Get("/api/v1/referrals/me", refreshed["access_token"]!.GetValue<string>())).AssertStatus(
            200
        );

        Assert.Equal(
            HttpStatusCode.NoContent,
            (
                await Client.PostJson("/api/v1/auth/logout", new { }, refreshed["access_token"]!.GetValue<string>())
            ).StatusCode
        );
        await (
            await Client.PostJson(
                "/api/v1/auth/refresh",
                new { refresh_token = refreshed["refresh_token"]!.GetValue<string>() }
            )
        ).AssertProblem(401);
    }

    [Fact]
    public async Task An_organizer_publishes_an_event_anyone_browses_it_and_a_member_registers()
    {
        var organizer = await RegisterAsync("e2e_organizer", role: "organizer");
        var organizerToken = organizer["access_token"]!.GetValue<string>();
        var starts = DateTimeOffset.UtcNow.AddDays(5);
        var created = await (
            await Client.PostJson(
                "/api/v1/events",
                new
                {
                    title = "Gateway walk",
                    event_type = "trip",
                    city = "Lisbon",
                    country = "PT",
                    latitude = 38.7223,
                    longitude = -9.1393,
                    starts_at = starts,
                    ends_at = starts.AddHours(3),
                    time_zone = "Europe/Lisbon",
                    capacity = 10,
                },
                organizerToken
            )
        ).AssertStatus(201);
        var id = created["id"]!.GetValue<string>();
        await (await Client.PostJson($"/api/v1/events/{id}/publish", new { }, organizerToken)).AssertStatus(200);

        // Public reads need no token at the edge.
        var list = await (await Client.Get("/api/v1/events?city=lisbon")).AssertStatus(200);
        Assert.Equal(id, list["items"]![0]!["id"]!.GetValue<string>());
        var nearby = await (await Client.Get("/api/v1/events/nearby?lat=38.72&lon=-9.14&radius_km=5")).AssertStatus(
            200
        );
        Assert.Single(nearby["items"]!.AsArray());
        await (await Client.Get($"/api/v1/events/{id}")).AssertStatus(200);
        var ics = await Client.GetAsync($"/api/v1/events/{id}.ics");
        Assert.Equal(HttpStatusCode.OK, ics.StatusCode);
        Assert.Contains("DTSTART;TZID=Europe/Lisbon:", await ics.Content.ReadAsStringAsync());

        // Writes need a token, and the right role.
        await (await Client.PostJson($"/api/v1/events/{id}/registrations", new { })).AssertProblem(401);
        var member = (await RegisterAsync("e2e_attendee"))["access_token"]!.GetValue<string>();
        await (await Client.PostJson("/api/v1/events", new { title = "Nope" }, member)).AssertProblem(403);
        var registration = await (
            await Client.PostJson($"/api/v1/events/{id}/registrations", new { }, member)
        ).AssertStatus(201);
        Assert.Equal("confirmed", registration["status"]!.GetValue<string>());
        var details = await (await Client.Get($"/api/v1/events/{id}", member)).AssertStatus(200);
        Assert.True(details["is_registered"]!.GetValue<bool>());
        Assert.Equal(9, details["spots_remaining"]!.GetValue<int>());
    }

    [Fact]
    public async Task The_admin_identity_seeded_before_events_was_listening_writes_there_once_events_asked()
    {
        var admin = await (
            await Client.PostJson(
                "/api/v1/auth/login",
                new { identifier = EndToEndFixture.AdminUsername, password = fx.AdminPassword }
            )
        ).AssertStatus(200);
        var adminId = admin["user"]!["id"]!.GetValue<string>();
        // Identity seeded the admin, and published its UserRegistered, before events had bound its queues: the
        // platform's first start. Whether or not that message happened to arrive, events has not heard of it now
        // (no other test of this class has the admin write to events, so events' instance never remembered it).
        await Sql.ExecuteAsync(
            fx.EventsResources.DatabaseConnectionString,
            "DELETE FROM known_users WHERE user_id = @id::uuid; DELETE FROM user_profiles WHERE user_id = @id::uuid",
            ("id", adminId)
        );

        var created = await (
            await Client.PostJson(
                "/api/v1/events",
                NewEvent("Launch meetup"),
                admin["access_token"]!.GetValue<string>()
            )
        ).AssertStatus(201);

        Assert.Equal(adminId, created["organizer_id"]!.GetValue<string>());
        // Identity announced the account again, so events knows the admin's name too (attendee lists show it).
        await Eventually.TrueAsync(
            async () =>
                await Sql.ScalarAsync<string>(
                    fx.EventsResources.DatabaseConnectionString,
                    "SELECT username FROM user_profiles WHERE user_id = @id::uuid",
                    ("id", adminId)
                ) == EndToEndFixture.AdminUsername,
            "events never heard the admin's name"
        );
    }

    [Fact]
    public async Task Anonymous_routes_pass_and_protected_ones_need_a_token_at_the_edge()
    {
        var jwks = await (await Client.Get("/.well-known/jwks.json")).AssertStatus(200);
        Assert.Equal("ES256", jwks["keys"]![0]!["alg"]!.GetValue<string>());
        await (
            await Client.PostJson("/api/v1/waitlist", new { email = "e2e-wait@example.com", source = "e2e" })
        ).AssertStatus(202);
        var statusToken = System
            .Text.RegularExpressions.Regex.Match(
                (await fx.Smtp.WaitForAsync("e2e-wait@example.com")).Body,
                @"Status token: (\S+)"
            )
            .Groups[1]
            .Value;
        await (await Client.Get($"/api/v1/waitlist/status?token={statusToken}")).AssertStatus(200);
        await (await Client.Get("/api/v1/waitlist/status?email=e2e-wait@example.com")).AssertStatus(202);
        Assert.Equal(
            HttpStatusCode.Accepted,
            (await Client.PostJson("/api/v1/auth/password/forgot", new { identifier = "nobody" })).StatusCode
        );

        await (await Client.Get("/api/v1/users/me")).AssertProblem(401);
        await (await Client.Get("/api/v1/auth/me")).AssertProblem(401);
        await (await Client.Get($"/api/v1/users/{Guid.NewGuid()}")).AssertProblem(401);
    }

    [Fact]
    public async Task Forged_tokens_are_refused_at_the_gateway_with_identitys_real_keys()
    {
        var registered = await RegisterAsync("e2e_target");
        var good = registered["access_token"]!.GetValue<string>();
        var sub = registered["user"]!["id"]!.GetValue<string>();
        var kid = TestTokens.Header(good)["kid"]!.GetValue<string>();
        var jwks = await (await Client.Get("/.well-known/jwks.json")).AssertStatus(200);
        using var stranger = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var now = DateTimeOffset.UtcNow;

        var attacks = new Dictionary<string, string>
        {
            ["alg none"] = TestTokens.Unsigned(kid, TestTokens.Claims(sub, now)),
            ["HS256 with the public key"] = TestTokens.Hs256(
                TestTokens.PublicKeyBytes(jwks["keys"]![0]!),
                kid,
                TestTokens.Claims(sub, now)
            ),
            ["tampered role"] = TestTokens.Tamper(good, "role", "admin"),
            ["unknown kid"] = TestTokens.Es256(stranger, "forged-kid", TestTokens.Claims(sub, now)),
            ["right kid, wrong key"] = TestTokens.Es256(stranger, kid, TestTokens.Claims(sub, now)),
        };
        foreach (var (name, token) in attacks)
        {
            var response = await Client.Get("/api/v1/auth/me", token);
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{name}: {(int)response.StatusCode}");
            await response.AssertProblem(401);
        }
        // On an anonymous route too.
        await (
            await Client.PostJson(
                "/api/v1/auth/login",
                new { identifier = "e2e_target", password = "correct-horse-9" },
                TestTokens.Tamper(good, "sub", "x")
            )
        ).AssertProblem(401);
        await (await Client.Get("/api/v1/auth/me", good)).AssertStatus(200);
    }

    [Fact]
    public async Task The_request_id_is_the_same_at_the_gateway_and_in_the_service()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/auth/login")
        {
            Content = JsonContent.Create(new { identifier = "nobody_e2e", password = "wrong-password-1" }),
        };
        var response = await Client.SendAsync(request);
        var problem = await response.AssertProblem(401);
        // The body was written by identity, the header by the gateway: one id end to end.
        Assert.Equal(response.Headers.GetValues("X-Request-Id").Single(), problem["request_id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Service_errors_pass_through_as_problem_details()
    {
        var taken = await RegisterAsync("e2e_taken");
        await (
            await Client.PostJson(
                "/api/v1/auth/register",
                new
                {
                    username = "e2e_taken",
                    email = "other-e2e@example.com",
                    password = "correct-horse-9",
                }
            )
        ).AssertProblem(409);
        await (await Client.PostJson("/api/v1/auth/register", "{not json")).AssertProblem(400);
        await (await Client.Get("/api/v1/users/not-a-guid", taken["access_token"]!.GetValue<string>())).AssertProblem(
            404
        );
    }
}
