using Community.Identity.Auth;

namespace Community.Identity.Tests;

public sealed class KeyRotationTests(IdentityFixture fx) : IClassFixture<IdentityFixture>
{
    private async Task<List<string>> PublishedKidsAsync()
    {
        var jwks = await (await fx.Client.Get("/.well-known/jwks.json")).AssertStatus(200);
        return jwks["keys"]!.AsArray().Select(k => k!["kid"]!.GetValue<string>()).ToList();
    }

    [Fact]
    public async Task A_rotated_key_stays_published_until_its_tokens_have_expired()
    {
        var before = await fx.RegisterAsync();
        var oldToken = before["access_token"]!.GetValue<string>();
        var oldKid = TestTokens.Header(oldToken)["kid"]!.GetValue<string>();
        Assert.Equal([oldKid], await PublishedKidsAsync());

        // Thirty days on, a new key is made and published at once; tokens are still signed by the old one until every
        // replica publishes the new one too (each caches the key set for a minute).
        using var clock = new ClockOffset(fx.Clock);
        clock.Advance(TimeSpan.FromDays(30) + TimeSpan.FromMinutes(1));
        var during = await fx.RegisterAsync();
        Assert.Equal(oldKid, TestTokens.Header(during["access_token"]!.GetValue<string>())["kid"]!.GetValue<string>());
        var published = await PublishedKidsAsync();
        Assert.Equal(2, published.Count);
        Assert.Equal(oldKid, published[1]);
        var newKid = published[0];

        // Past that lead, the next token is signed by the new key; the old key is still published.
        clock.Advance(SigningKeyStore.PublishLead);
        var after = await fx.RegisterAsync();
        Assert.Equal(newKid, TestTokens.Header(after["access_token"]!.GetValue<string>())["kid"]!.GetValue<string>());
        Assert.Equal([newKid, oldKid], await PublishedKidsAsync());
        Assert.Equal(
            HttpStatusCode.OK,
            (await fx.Client.Get("/api/v1/auth/me", after["access_token"]!.GetValue<string>())).StatusCode
        );

        // Once every token the old key signed has expired, it leaves the JWKS.
        clock.Advance(TimeSpan.FromMinutes(21));
        Assert.Equal([newKid], await PublishedKidsAsync());
        Assert.Equal(1L, await fx.ScalarAsync<long>("SELECT count(*) FROM signing_keys WHERE kid = @k", ("k", newKid)));
    }
}
