using System.Text.RegularExpressions;
using Community.ServiceDefaults.Auth;
using Microsoft.Extensions.DependencyInjection;

namespace Community.SystemTests;

/// <summary>
/// A session ended at identity is refused everywhere within seconds: at the gateway (which reads
/// identity's revocation feed) and at events called directly (which hears identity's events on the bus).
/// </summary>
public sealed partial class EndToEndTests
{
    [GeneratedRegex(@"Reset token: (\S+)")]
    private static partial Regex ResetTokenLine();

    private static readonly TimeSpan SessionEndBound = TimeSpan.FromSeconds(15);

    private static string Access(JsonNode pair) => pair["access_token"]!.GetValue<string>();

    private static object NewEvent(string title = "Should not exist")
    {
        var starts = DateTimeOffset.UtcNow.AddDays(3);
        return new
        {
            title,
            event_type = "trip",
            city = "Lisbon",
            country = "PT",
            latitude = 38.7,
            longitude = -9.1,
            starts_at = starts,
            ends_at = starts.AddHours(2),
            time_zone = "Europe/Lisbon",
            capacity = 5,
        };
    }

    /// <summary>
    /// Whether <paramref name="client"/> refuses the token because its session ended (not for any other reason).
    /// </summary>
    private static async Task<bool> EndedAsync(HttpClient client, string token)
    {
        var response = await client.Get("/api/v1/events/my", token);
        if (response.StatusCode != HttpStatusCode.Unauthorized)
            return false;
        return (await response.AssertProblem(401))["detail"]!.GetValue<string>().Contains("session has ended");
    }

    /// <summary>
    /// The gateway's own set knows the token's session ended: the refusal is the gateway's, not only the service's
    /// behind it.
    /// </summary>
    private bool GatewayKnowsEnded(string token)
    {
        var payload = TestTokens.Payload(token);
        var issuedAt = DateTimeOffset.FromUnixTimeSeconds(payload["iat"]!.GetValue<long>());
        return fx
            .Gateway.Services.GetRequiredService<SessionRevocations>()
            .HasEnded(
                Guid.Parse(payload["sub"]!.GetValue<string>()),
                Guid.Parse(payload["sid"]!.GetValue<string>()),
                issuedAt
            );
    }

    private async Task AssertEndedEverywhereAsync(string token, string what)
    {
        using var events = fx.Events.NewClient();
        await Eventually.TrueAsync(
            () => Task.FromResult(GatewayKnowsEnded(token)),
            $"the gateway never learned that {what}",
            SessionEndBound
        );
        await Eventually.TrueAsync(
            () => EndedAsync(Client, token),
            $"the gateway still lets a token through after {what}",
            SessionEndBound
        );
        await Eventually.TrueAsync(
            () => EndedAsync(events, token),
            $"events still accepts a token after {what}",
            SessionEndBound
        );
    }

    private async Task AssertWorksEverywhereAsync(string token)
    {
        using var events = fx.Events.NewClient();
        await (await Client.Get("/api/v1/events/my", token)).AssertStatus(200);
        await (await events.Get("/api/v1/events/my", token)).AssertStatus(200);
    }

    [Fact]
    public async Task Logout_ends_that_session_at_the_gateway_and_at_events_and_no_other_session()
    {
        var registered = await RegisterAsync("e2e_logout");
        var other = (
            await (
                await Client.PostJson(
                    "/api/v1/auth/login",
                    new { identifier = "e2e_logout", password = "correct-horse-9" }
                )
            ).AssertStatus(200)
        );
        await AssertWorksEverywhereAsync(Access(registered));

        Assert.Equal(
            HttpStatusCode.NoContent,
            (await Client.PostJson("/api/v1/auth/logout", new { }, Access(registered))).StatusCode
        );

        await AssertEndedEverywhereAsync(Access(registered), "a logout");
        Assert.False(GatewayKnowsEnded(Access(other)));
        await AssertWorksEverywhereAsync(Access(other));
    }

    [Fact]
    public async Task Signing_out_everywhere_else_ends_the_others_at_the_gateway_and_at_events_and_not_this_one()
    {
        var registered = await RegisterAsync("e2e_elsewhere");
        var other = await (
            await Client.PostJson(
                "/api/v1/auth/login",
                new { identifier = "e2e_elsewhere", password = "correct-horse-9" }
            )
        ).AssertStatus(200);
        await AssertWorksEverywhereAsync(Access(other));

        var answer = await (
            await Client.PostJson("/api/v1/auth/logout/others", new { }, Access(registered))
        ).AssertStatus(200);

        Assert.Equal(1, answer["sessions_ended"]!.GetValue<int>());
        await AssertEndedEverywhereAsync(Access(other), "a sign-out from another session");
        Assert.False(GatewayKnowsEnded(Access(registered)));
        await AssertWorksEverywhereAsync(Access(registered));
    }

    [Fact]
    public async Task A_password_reset_ends_every_session_everywhere_and_a_token_issued_after_it_works()
    {
        var registered = await RegisterAsync("e2e_reset");
        Assert.Equal(
            HttpStatusCode.Accepted,
            (await Client.PostJson("/api/v1/auth/password/forgot", new { identifier = "e2e_reset" })).StatusCode
        );
        var token = ResetTokenLine()
            .Match((await fx.Smtp.WaitForAsync("e2e_reset@example.com", "Reset token: ")).Body)
            .Groups[1]
            .Value;
        Assert.Equal(
            HttpStatusCode.NoContent,
            (
                await Client.PostJson("/api/v1/auth/password/reset", new { token, new_password = "brand-new-pass-7" })
            ).StatusCode
        );
        var fresh = await (
            await Client.PostJson("/api/v1/auth/login", new { identifier = "e2e_reset", password = "brand-new-pass-7" })
        ).AssertStatus(200);

        await AssertEndedEverywhereAsync(Access(registered), "a password reset");
        Assert.False(GatewayKnowsEnded(Access(fresh)));
        await AssertWorksEverywhereAsync(Access(fresh));
    }

    [Fact]
    public async Task A_deleted_organizers_token_creates_no_event_through_the_gateway_or_at_events()
    {
        var organizer = await RegisterAsync("e2e_leaver", role: "organizer");
        Assert.Equal(HttpStatusCode.NoContent, (await Client.DeleteAccount(Access(organizer))).StatusCode);

        await AssertEndedEverywhereAsync(Access(organizer), "an account deletion");
        using var events = fx.Events.NewClient();
        await (await Client.PostJson("/api/v1/events", NewEvent(), Access(organizer))).AssertProblem(401);
        await (await events.PostJson("/api/v1/events", NewEvent(), Access(organizer))).AssertProblem(401);
    }

    [Fact]
    public async Task A_demoted_organizers_old_token_creates_no_event_and_the_refreshed_one_carries_the_new_role()
    {
        var organizer = await RegisterAsync("e2e_demoted", role: "organizer");
        var admin = await (
            await Client.PostJson(
                "/api/v1/auth/login",
                new { identifier = EndToEndFixture.AdminUsername, password = fx.AdminPassword }
            )
        ).AssertStatus(200);
        await (
            await Client.SendJson(
                HttpMethod.Put,
                $"/api/v1/users/{organizer["user"]!["id"]}/role",
                new { role = "member" },
                Access(admin)
            )
        ).AssertStatus(200);

        await AssertEndedEverywhereAsync(Access(organizer), "a demotion");
        using var events = fx.Events.NewClient();
        await (await Client.PostJson("/api/v1/events", NewEvent(), Access(organizer))).AssertProblem(401);
        await (await events.PostJson("/api/v1/events", NewEvent(), Access(organizer))).AssertProblem(401);

        var refreshed = await (
            await Client.PostJson(
                "/api/v1/auth/refresh",
                new { refresh_token = organizer["refresh_token"]!.GetValue<string>() }
            )
        ).AssertStatus(200);
        await AssertWorksEverywhereAsync(Access(refreshed));
        await (await Client.PostJson("/api/v1/events", NewEvent(), Access(refreshed))).AssertProblem(403);
    }

    [Fact]
    public async Task The_revocation_feed_is_not_routed_by_the_gateway()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/internal/revocations?after=0");
        request.Headers.Add(RevocationFeedOptions.KeyHeader, fx.FeedKey);
        Assert.Equal(HttpStatusCode.NotFound, (await Client.SendAsync(request)).StatusCode);
    }
}
