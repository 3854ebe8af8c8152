using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Community.SystemTests;

/// <summary>
/// The whole platform (six services, the gateway) with every host's log captured from its first line: what an
/// operator reads after a healthy start and the README's walk-through.
/// </summary>
public sealed class QuietPlatformFixture : PlatformFixture
{
    /// <summary>Each host's log (Warning and above reach it: the hosts log at Warning).</summary>
    public Dictionary<string, LogCapture> Logs { get; } = [];

    public SmtpSink Smtp { get; } = new();

    protected override string Name => nameof(QuietWalkthroughTests);

    protected override void ConfigureService(IDictionary<string, string?> settings)
    {
        base.ConfigureService(settings);
        settings["Smtp:Host"] = "127.0.0.1";
        settings["Smtp:Port"] = Smtp.Port.ToString();
        settings["Smtp:EnableSsl"] = "false";
    }

    public override void ConfigureServices(IServiceCollection services)
    {
        base.ConfigureServices(services);
        Capture(ResourceNames.Identity).AddTo(services);
    }

    // no model here: the offline responder answers, as README's walk-through says it does without one
    protected override Dictionary<string, string?> SettingsOf(string service) =>
        service == ResourceNames.AiCompanion ? new() { ["Companion:Model:FallbackToOffline"] = "true" } : [];

    protected override Action<IServiceCollection> ServicesOf(string host) => Capture(host).AddTo;

    private LogCapture Capture(string host)
    {
        if (!Logs.TryGetValue(host, out var capture))
            Logs[host] = capture = new LogCapture();
        return capture;
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Smtp.DisposeAsync();
    }
}

/// <summary>
/// The README's walk-through, through the gateway: sign up, profile, connect, a group and its thread, a direct
/// conversation, an event and a free ticket, the companion. A healthy platform doing it logs no warning or error.
/// </summary>
public sealed class QuietWalkthroughTests(QuietPlatformFixture fx) : IClassFixture<QuietPlatformFixture>
{
    private HttpClient Client => fx.Client;

    [Fact]
    public async Task A_healthy_start_and_the_walkthrough_leave_no_warning_or_error_in_any_log()
    {
        var amira = await RegisterAsync("walk_amira", "member");
        var omar = await RegisterAsync("walk_omar", "organizer");
        var (a, o) = (Token(amira), Token(omar));
        var omarId = omar["user"]!["id"]!.GetValue<string>();

        await (await Client.Get("/api/v1/auth/me", a)).AssertStatus(200);
        await (
            await Client.SendJson(HttpMethod.Patch, "/api/v1/users/me", new { bio = "Runner, reader." }, a)
        ).AssertStatus(200);
        await (await Client.Get($"/api/v1/users/{omarId}", a)).AssertStatus(200);

        // social knows omar once identity's event reached it
        await EventuallyAsync(() => Client.Get($"/api/v1/profiles/{omarId}", a), 200);
        var connection = await (
            await Client.PostJson("/api/v1/connections", new { user_id = omarId, message = "Running buddies?" }, a)
        ).AssertStatus(201);
        await (await Client.PostJson($"/api/v1/connections/{connection["id"]}/accept", new { }, o)).AssertStatus(200);
        await (await Client.Get("/api/v1/discover?limit=20", a)).AssertStatus(200);

        var group = await (
            await Client.PostJson(
                "/api/v1/groups",
                new
                {
                    name = "Walkers",
                    description = "Morning walks",
                    category = "sports",
                    region = "Berlin",
                    interest = "fitness",
                    visibility = "public",
                    join_policy = "open",
                },
                a
            )
        ).AssertStatus(201);
        var groupId = group["id"]!.GetValue<string>();
        var thread = await EventuallyAsync(
            () =>
                Client.PostJson(
                    "/api/v1/threads",
                    new
                    {
                        group_id = groupId,
                        title = "Saturday",
                        text = "Who is in?",
                    },
                    a
                ),
            201
        );
        await (
            await Client.PostJson(
                $"/api/v1/conversations/{thread["id"]}/messages",
                new { text = "Me!", client_txn_id = "walk-1" },
                a
            )
        ).AssertStatus(201);

        var direct = await EventuallyAsync(
            () => Client.PostJson("/api/v1/conversations/direct", new { user_id = omarId }, a),
            200,
            201
        );
        await (
            await Client.PostJson(
                $"/api/v1/conversations/{direct["id"]}/messages",
                new { text = "Hello!", client_txn_id = "walk-2" },
                a
            )
        ).AssertStatus(201);
        await (await Client.Get("/api/v1/conversations?limit=20", o)).AssertStatus(200);
        await (await Client.Get("/api/v1/messages/unread-count", o)).AssertStatus(200);

        var starts = DateTimeOffset.UtcNow.AddDays(10);
        var created = await EventuallyAsync(
            () =>
                Client.PostJson(
                    "/api/v1/events",
                    new
                    {
                        title = "Board games night",
                        description = "Bring a game",
                        event_type = "meetup",
                        interests = new[] { "games" },
                        region = "Berlin-Mitte",
                        location_name = "Cafe Central",
                        address = "Alexanderplatz 1",
                        city = "Berlin",
                        country = "DE",
                        latitude = 52.5219,
                        longitude = 13.4132,
                        starts_at = starts,
                        ends_at = starts.AddHours(3),
                        time_zone = "Europe/Berlin",
                        capacity = 30,
                        visibility = "public",
                    },
                    o
                ),
            201
        );
        var eventId = created["id"]!.GetValue<string>();
        await (await Client.PostJson($"/api/v1/events/{eventId}/publish", new { }, o)).AssertStatus(200);
        await (await Client.Get($"/api/v1/events/nearby?lat=52.52&lon=13.40&radius_km=5")).AssertStatus(200);
        await (await Client.PostJson($"/api/v1/events/{eventId}/registrations", new { }, a)).AssertStatus(201);
        await (await Client.Get($"/api/v1/events/{eventId}/registrations/me/ticket", a)).AssertStatus(200);

        await (await Client.Get("/api/v1/credits?limit=20", a)).AssertStatus(200);
        await (await Client.Get("/api/v1/referrals/me", a)).AssertStatus(200);
        await (await Client.Get("/api/v1/companion/usage", a)).AssertStatus(200);
        await (
            await Client.PostJson(
                "/api/v1/companion/messages",
                new { text = "Hi, how do I meet people here?", client_txn_id = "walk-3" },
                a
            )
        ).AssertStatus(201);
        await (await Client.Get("/api/v1/notifications?limit=20", o)).AssertStatus(200);
        await (await Client.Get("/api/v1/feed?limit=20", a)).AssertStatus(200);

        // what the consumers do with the walk's events runs after the answers: give it a moment to log
        await Task.Delay(TimeSpan.FromSeconds(3));
        var noisy = fx.Logs.SelectMany(l => l.Value.AtLeast(LogLevel.Warning).Select(e => $"{l.Key}: {e}")).ToList();
        Assert.True(noisy.Count == 0, "Warnings or errors on a healthy platform:\n" + string.Join("\n", noisy));
    }

    private static string Token(JsonNode registered) => registered["access_token"]!.GetValue<string>();

    private async Task<JsonNode> RegisterAsync(string username, string role)
    {
        var email = $"{username}@example.com";
        var registered = await (
            await Client.PostJson(
                "/api/v1/auth/register",
                new
                {
                    username,
                    email,
                    password = "correct-horse-9",
                    full_name = username,
                    role,
                }
            )
        ).AssertStatus(201);
        var mail = await fx.Smtp.WaitForAsync(email);
        var token = Regex.Match(mail.Body, @"Confirmation token: (\S+)").Groups[1].Value;
        await (await Client.PostJson("/api/v1/auth/register/confirm", new { token })).AssertStatus(200);
        return registered;
    }

    // A step that needs another service to have heard of an earlier one (its projections fill from events).
    private static async Task<JsonNode> EventuallyAsync(Func<Task<HttpResponseMessage>> send, params int[] expected)
    {
        var until = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var response = await send();
            if (expected.Contains((int)response.StatusCode) || DateTime.UtcNow > until)
                return await response.AssertStatus(
                    expected.Contains((int)response.StatusCode) ? (int)response.StatusCode : expected[0]
                );
            await Task.Delay(200);
        }
    }
}
