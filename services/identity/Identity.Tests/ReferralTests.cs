namespace Community.Identity.Tests;

public sealed class ReferralTests(IdentityFixture fx) : IClassFixture<IdentityFixture>
{
    private HttpClient Client => fx.Client;

    [Fact]
    public async Task Registering_with_a_referral_code_records_the_referral()
    {
        var referrer = await fx.RegisterAsync();
        var code = referrer["user"]!["referral_code"]!.GetValue<string>();
        await fx.RegisterAsync(referralCode: code.ToLowerInvariant());
        await fx.RegisterAsync(referralCode: code);

        var summary = await (
            await Client.Get("/api/v1/referrals/me", referrer["access_token"]!.GetValue<string>())
        ).AssertStatus(200);
        Assert.Equal(code, summary["referral_code"]!.GetValue<string>());
        Assert.Equal(2, summary["referrals_count"]!.GetValue<int>());
        Assert.Equal(0, summary["conversions"]!.GetValue<int>());
    }

    [Fact]
    public async Task Unknown_referral_codes_are_refused()
    {
        var response = await Client.PostJson(
            "/api/v1/auth/register",
            new
            {
                username = "bad_ref",
                email = "bad_ref@example.com",
                password = "long-enough-1",
                referral_code = "NOPE000000",
            }
        );
        Assert.NotNull((await response.AssertProblem(400))["errors"]!["referral_code"]);
    }

    // The referrer found, then deleted before the registration commits: the code names nobody now, as if unknown
    // (the referral's foreign key refused it; the answer was a 500 and no account).
    [Fact]
    public async Task A_referrer_deleted_while_a_registration_names_them_makes_the_code_unknown()
    {
        var referrer = await fx.RegisterAsync();
        var code = referrer["user"]!["referral_code"]!.GetValue<string>();
        var referrerId = Guid.Parse(referrer["user"]!["id"]!.GetValue<string>());
        var username = "late_ref_" + Guid.NewGuid().ToString("N")[..8];

        var response = await fx.CommitsWhileWaitedOnAsync(
            "DELETE FROM users WHERE id = @id",
            () =>
                Client.PostJson(
                    "/api/v1/auth/register",
                    new
                    {
                        username,
                        email = username + "@example.com",
                        password = "long-enough-1",
                        referral_code = code,
                    }
                ),
            "the registration never waited for its referrer's deletion",
            ("id", referrerId)
        );

        Assert.NotNull((await response.AssertProblem(400))["errors"]!["referral_code"]);
        Assert.Equal(0L, await fx.ScalarAsync<long>("SELECT count(*) FROM users WHERE username = @u", ("u", username)));
    }
}
