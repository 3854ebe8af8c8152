namespace Community.Identity.Tests;

/// <summary>
/// A class of its own: it moves the clock 90 days, which leaves identity's signing keys dated ahead and its key cache
/// loaded "in the future", so no other test shares its host.
/// </summary>
public sealed class SessionLifetimeTests(IdentityFixture fx) : IClassFixture<IdentityFixture>
{
    private HttpClient Client => fx.Client;

    private async Task<HttpStatusCode> MeStatusAsync(string token) =>
        (await Client.Get("/api/v1/auth/me", token)).StatusCode;

    [Fact]
    public async Task A_sign_in_lasts_ninety_days_however_often_it_is_refreshed()
    {
        var registered = await fx.RegisterAsync();
        var userId = registered["user"]!["id"]!.GetValue<string>();
        var refresh = registered["refresh_token"]!.GetValue<string>();
        using var clock = new ClockOffset(fx.Clock);
        // Every 6 days, each refresh within its token's 7: day 84, then day 89.
        for (var day = 6; day <= 84; day += 6)
        {
            clock.Advance(TimeSpan.FromDays(6));
            refresh = await fx.RefreshAsync(refresh);
        }
        clock.Advance(TimeSpan.FromDays(5));
        var lastBody = await (
            await Client.PostJson("/api/v1/auth/refresh", new { refresh_token = refresh })
        ).AssertStatus(200);
        refresh = lastBody["refresh_token"]!.GetValue<string>();
        Assert.Equal(HttpStatusCode.OK, await MeStatusAsync(lastBody["access_token"]!.GetValue<string>()));

        // Issued on day 89, it expires on day 90 (not 96), at the sign-in's time of day.
        Assert.Equal(
            1L,
            await fx.ScalarAsync<long>(
                """
                SELECT count(*) FROM refresh_tokens WHERE user_id = @user AND rotated_at IS NULL
                AND expires_at = session_started_at + interval '90 days'
                AND session_started_at = (SELECT min(created_at) FROM refresh_tokens WHERE user_id = @user)
                """,
                ("user", Guid.Parse(userId))
            )
        );

        clock.Advance(TimeSpan.FromDays(1) + TimeSpan.FromMinutes(1));
        await (await Client.PostJson("/api/v1/auth/refresh", new { refresh_token = refresh })).AssertProblem(401);
        // A new sign-in starts a new 90 days.
        var login = await fx.LoginAsync(registered["user"]!["username"]!.GetValue<string>(), "correct-horse-9");
        Assert.Equal(HttpStatusCode.OK, await MeStatusAsync(login));
    }
}
