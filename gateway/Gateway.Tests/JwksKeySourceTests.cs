using System.Security.Cryptography;
using Community.ServiceDefaults.Auth;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Community.Gateway.Tests;

/// <summary>How the gateway (and every service) follows identity's key rotation through its JWKS.</summary>
public sealed class JwksKeySourceTests : IAsyncLifetime
{
    private readonly ECDsa _first = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly ECDsa _second = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly TestClock _clock = new();
    private FakeJwks _identity = null!;
    private ServiceProvider _services = null!;
    private JwksSigningKeySource _source = null!;

    public async Task InitializeAsync()
    {
        _identity = await FakeJwks.StartAsync();
        var address = _identity.BaseAddress.ToString().TrimEnd('/');

        _services = new ServiceCollection().AddHttpClient().BuildServiceProvider();
        var http = _services.GetRequiredService<IHttpClientFactory>();
        var options = Options.Create(new JwtOptions { JwksUrl = address + "/.well-known/jwks.json" });
        _source = new JwksSigningKeySource(http, options, _clock, NullLogger<JwksSigningKeySource>.Instance);
    }

    public async Task DisposeAsync()
    {
        _source.Dispose();
        await _services.DisposeAsync();
        await _identity.DisposeAsync();
        _first.Dispose();
        _second.Dispose();
    }

    [Fact]
    public async Task A_new_kid_is_fetched_at_most_once_per_interval_and_its_key_verifies()
    {
        _identity.Published = [EcPublicJwk.From("first", _first)];
        Assert.NotNull(await _source.FindAsync("first", default));

        _identity.Published = [EcPublicJwk.From("second", _second), EcPublicJwk.From("first", _first)];
        Assert.Null(await _source.FindAsync("second", default));
        Assert.Equal(1, _identity.Fetches);

        _clock.Advance(JwksSigningKeySource.MinRefreshInterval);
        var second = await _source.FindAsync("second", default);
        Assert.Equal(2, _identity.Fetches);

        var token = TestTokens.Es256(
            _second,
            "second",
            TestTokens.Claims(Guid.NewGuid().ToString(), DateTimeOffset.UtcNow)
        );
        var result = await new Microsoft.IdentityModel.JsonWebTokens.JsonWebTokenHandler().ValidateTokenAsync(
            token,
            new TokenValidationParameters
            {
                IssuerSigningKey = second,
                ValidIssuer = "community-identity",
                ValidAudience = "community",
            }
        );
        Assert.True(result.IsValid, result.Exception?.Message);
    }

    [Fact]
    public async Task A_kept_key_is_reused_and_a_withdrawn_one_is_disposed_only_after_the_grace_period()
    {
        _identity.Published = [EcPublicJwk.From("first", _first), EcPublicJwk.From("second", _second)];
        var first = (ECDsaSecurityKey)(await _source.FindAsync("first", default))!;
        var second = await _source.FindAsync("second", default);

        _identity.Published = [EcPublicJwk.From("second", _second)];
        _clock.Advance(JwksSigningKeySource.MinRefreshInterval);
        Assert.Null(await _source.FindAsync("unknown", default));
        Assert.Equal(2, _identity.Fetches);
        Assert.Same(second, await _source.FindAsync("second", default));
        Assert.Null(await _source.FindAsync("first", default));
        // a validation that found it a moment ago may still use it
        first.ECDsa.ExportParameters(includePrivateParameters: false);

        _clock.Advance(RetiredKeys.Grace);
        Assert.Null(await _source.FindAsync("another-unknown", default));
        Assert.Equal(3, _identity.Fetches);
        Assert.ThrowsAny<ObjectDisposedException>(() => first.ECDsa.ExportParameters(includePrivateParameters: false));
        Assert.Same(second, await _source.FindAsync("second", default));
    }
}
