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
}
