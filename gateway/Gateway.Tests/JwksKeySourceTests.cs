using System.Security.Cryptography;
using Community.Contracts;
using Community.ServiceDefaults;
using Community.ServiceDefaults.Auth;
using Community.ServiceDefaults.Errors;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Community.Gateway.Tests;

/// <summary>How the gateway (and every service) follows identity's key rotation through its JWKS.</summary>
public sealed class JwksKeySourceTests : IAsyncLifetime
{
    private readonly ECDsa _first = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly ECDsa _second = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly TestClock _clock = new();
    private readonly LogCapture _logs = new();
    private readonly LoggerFactory _loggers = new();
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
        _loggers.AddProvider(_logs);
        _source = new JwksSigningKeySource(http, options, _clock, _loggers.CreateLogger<JwksSigningKeySource>());
    }

    public async Task DisposeAsync()
    {
        _source.Dispose();
        await _services.DisposeAsync();
        await _identity.DisposeAsync();
        _loggers.Dispose();
        _first.Dispose();
        _second.Dispose();
    }

    private Task<SecurityKey?> Find(string kid) => _source.FindAsync(kid, default).AsTask();

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

    [Fact]
    public async Task A_known_kid_never_waits_for_the_refresh_of_a_stale_set()
    {
        _identity.Published = [EcPublicJwk.From("first", _first)];
        var first = await _source.FindAsync("first", default);
        _identity.Published = [EcPublicJwk.From("second", _second)];
        _identity.Hold();
        _clock.Advance(JwksSigningKeySource.MaxAge);

        // identity does not answer: the held key is answered at once, the refresh runs behind
        var find = _source.FindAsync("first", default);
        Assert.True(find.IsCompletedSuccessfully);
        Assert.Same(first, await find);
        await Eventually.TrueAsync(
            () => Task.FromResult(_identity.Fetches == 2),
            "the background refresh asked identity"
        );
        Assert.Same(first, await _source.FindAsync("first", default));
        Assert.Equal(2, _identity.Fetches);

        // once it answers, its set is the one held: the withdrawn key is gone, the new one found
        _identity.Release();
        Assert.NotNull(await _source.FindAsync("second", default));
        Assert.Null(await _source.FindAsync("first", default));
    }

    [Fact]
    public async Task An_outage_keeps_the_keys_and_is_logged_once_and_its_end_too()
    {
        _identity.Published = [EcPublicJwk.From("first", _first)];
        var first = await _source.FindAsync("first", default);
        _identity.Down = true;
        for (var i = 0; i < 3; i++)
        {
            _clock.Advance(JwksSigningKeySource.MaxAge);
            await Assert.ThrowsAsync<ServiceUnavailableException>(() => Find($"unknown-{i}"));
        }
        Assert.Equal(4, _identity.Fetches);
        Assert.Same(first, await _source.FindAsync("first", default));
        var warning = Assert.Single(_logs.AtLeast(LogLevel.Warning));
        Assert.Contains("Could not refresh signing keys", warning.Message);

        _identity.Down = false;
        _identity.Published = [EcPublicJwk.From("first", _first), EcPublicJwk.From("second", _second)];
        _clock.Advance(JwksSigningKeySource.MinRefreshInterval);
        Assert.NotNull(await _source.FindAsync("second", default));
        Assert.Single(_logs.AtLeast(LogLevel.Warning));
        Assert.Contains(
            _logs.Entries,
            e => e.Message.StartsWith("Signing keys are read again", StringComparison.Ordinal)
        );
    }

    [Fact]
    public async Task While_identity_is_down_unknown_kids_try_once_per_interval_not_once_each()
    {
        _identity.Published = [EcPublicJwk.From("first", _first)];
        Assert.NotNull(await _source.FindAsync("first", default));
        _identity.Down = true;
        _clock.Advance(JwksSigningKeySource.MaxAge);

        // forged kids, one after another: one attempt fails, the others are answered (503) without asking identity
        for (var i = 0; i < 3; i++)
            await Assert.ThrowsAsync<ServiceUnavailableException>(() => Find($"forged-{i}"));
        Assert.Equal(2, _identity.Fetches);

        _clock.Advance(JwksSigningKeySource.MinRefreshInterval);
        await Assert.ThrowsAsync<ServiceUnavailableException>(() => Find("forged-3"));
        await Assert.ThrowsAsync<ServiceUnavailableException>(() => Find("forged-4"));
        Assert.Equal(3, _identity.Fetches);
    }

    [Fact]
    public async Task Unknown_kids_queued_behind_a_failing_attempt_take_its_outcome_and_ask_no_more()
    {
        _identity.Published = [EcPublicJwk.From("first", _first)];
        Assert.NotNull(await _source.FindAsync("first", default));
        _identity.Down = true;
        _identity.Hold();
        _clock.Advance(JwksSigningKeySource.MaxAge);

        var finds = Enumerable.Range(0, 3).Select(i => _source.FindAsync($"forged-{i}", default).AsTask()).ToList();
        await Eventually.TrueAsync(
            () => Task.FromResult(_identity.Fetches == 2),
            "the first forged kid asked identity"
        );
        _identity.Release();

        foreach (var find in finds)
            await Assert.ThrowsAsync<ServiceUnavailableException>(() => find);
        Assert.Equal(2, _identity.Fetches);
    }

    [Fact]
    public async Task A_kid_published_after_an_outage_is_found_once_the_interval_has_passed()
    {
        _identity.Published = [EcPublicJwk.From("first", _first)];
        Assert.NotNull(await _source.FindAsync("first", default));
        _identity.Down = true;
        _clock.Advance(JwksSigningKeySource.MaxAge);
        await Assert.ThrowsAsync<ServiceUnavailableException>(() => Find("forged"));
        Assert.Equal(2, _identity.Fetches);

        // answering again, but not asked before the interval ends: still not known to be unknown
        _identity.Down = false;
        _identity.Published = [EcPublicJwk.From("second", _second), EcPublicJwk.From("first", _first)];
        await Assert.ThrowsAsync<ServiceUnavailableException>(() => Find("second"));
        Assert.Equal(2, _identity.Fetches);

        _clock.Advance(JwksSigningKeySource.MinRefreshInterval);
        Assert.NotNull(await _source.FindAsync("second", default));
        Assert.Equal(3, _identity.Fetches);
        Assert.NotNull(await _source.FindAsync("first", default));
    }

    [Fact]
    public async Task With_the_platforms_http_defaults_a_dead_identity_instance_is_asked_once_and_nothing_is_logged()
    {
        await using var dead = new ResettingListener();
        _identity.Published = [EcPublicJwk.From("first", _first)];
        var logs = new LogCapture();
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(
            new Dictionary<string, string?>
            {
                ["Services:identity"] = $"{dead.Address};{_identity.BaseAddress.ToString().TrimEnd('/')}",
            }
        );
        builder.AddServiceDefaults();
        builder.Logging.AddProvider(logs);
        builder.AddJwtAuthentication();
        await using var app = builder.Build();
        var source = app.Services.GetRequiredService<JwksSigningKeySource>();

        // What was logged, when the key was not found (CI saw it once): the failure that ended the round.
        Assert.True(
            await source.FindAsync("first", default) is not null,
            string.Join("\n", logs.Entries.Select(e => $"{e.Level} {e.Message} {e.Exception}"))
        );
        Assert.Equal(1, dead.Accepted);
        Assert.Equal(1, _identity.Fetches);
        Assert.Empty(logs.AtLeast(LogLevel.Warning));
    }

    private sealed class AnsweringFeed : IRevocationSource
    {
        public Task<RevocationPage> ReadAsync(long after, CancellationToken cancellationToken) =>
            Task.FromResult(new RevocationPage([], after));
    }

    [Fact]
    public async Task Forged_kids_while_identitys_keys_are_unreachable_are_counted_and_the_outage_warned_of_once()
    {
        _identity.Published = [EcPublicJwk.From("first", _first)];
        var logs = new LogCapture();
        await using var gateway = GatewayHost.Start(
            new Dictionary<string, string?>
            {
                [$"Services:{ResourceNames.Identity}"] = _identity.BaseAddress.ToString().TrimEnd('/'),
                // the budget of tokens that may well be the platform's, smaller than its 600 a minute for the test
                ["RateLimits:InvalidTokens:ExpiredPermitLimit"] = "80",
            },
            services =>
            {
                services.AddSingleton<IRevocationSource>(new AnsweringFeed());
                logs.AddTo(services);
            }
        );
        var keys = gateway.Services.GetRequiredService<JwksSigningKeySource>();
        Assert.NotNull(await keys.FindAsync("first", default));
        _identity.Down = true;
        // past the interval, so the first forged kid asks identity again, and finds it down
        await Task.Delay(JwksSigningKeySource.MinRefreshInterval + TimeSpan.FromMilliseconds(100));
        logs.Clear();

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 100; i++)
        {
            var header = TestTokens.B64($$"""{"alg":"ES256","typ":"at+jwt","kid":"x{{i}}"}""");
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/events");
            request.Headers.TryAddWithoutValidation("Authorization", $"Bearer {header}.e30.AA");
            using var response = await gateway.Client.SendAsync(request);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            statuses.Add(response.StatusCode);
        }

        // the budget of tokens that may be the platform's (80 here): 503s up to it, past the 60 of invalid ones, then
        // 429s
        Assert.All(statuses, s => Assert.Contains(s, new[] { HttpStatusCode.ServiceUnavailable, (HttpStatusCode)429 }));
        Assert.InRange(statuses.Count(s => s == HttpStatusCode.ServiceUnavailable), 61, 80);
        Assert.Equal((HttpStatusCode)429, statuses[^1]);
        // the outage is warned of once, by the key source; each 503 is no warning of its own
        var warning = Assert.Single(logs.AtLeast(LogLevel.Warning));
        Assert.Contains("Could not refresh signing keys", warning.Message);
    }
}
