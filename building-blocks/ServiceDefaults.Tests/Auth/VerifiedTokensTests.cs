using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Community.ServiceDefaults.Auth;
using Community.ServiceDefaults.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Community.ServiceDefaults.Tests.Auth;

/// <summary>
/// The counter of token checks is one for the whole process: a test class reading it runs alone, or another class's
/// requests verifying their tokens meanwhile are counted in (CI saw a second signature check in the first test).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TokenCheckCounting
{
    public const string Name = "token check counting";
}

/// <summary>
/// A token's signature is verified once per instance, an expired one's too; what a cached token still goes through on
/// every request is shown failing: its lifetime, its key, and a tampered copy that is not the same text.
/// </summary>
[Collection(TokenCheckCounting.Name)]
public sealed class VerifiedTokensTests : IAsyncLifetime, IDisposable
{
    private readonly TestClock _clock = new();
    private readonly CountingKey _key = new();
    private readonly MeterListener _listener = new();
    private readonly Dictionary<string, long> _checks = [];
    private PipelineHost _host = null!;

    public async Task InitializeAsync()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (
                instrument.Meter.Name == DiagnosticNames.Source
                && instrument.Name == "community.auth.access_token_checks"
            )
                listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>(
            (_, value, tags, _) =>
            {
                string? verified = null;
                string? outcome = null;
                foreach (var tag in tags)
                    if (tag.Key == "verified")
                        verified = (string)tag.Value!;
                    else if (tag.Key == "outcome")
                        outcome = (string)tag.Value!;
                if (verified is null)
                    return;
                // by how it was verified, and by that and whether it was accepted or had expired
                string[] keys = outcome is null ? [verified] : [verified, $"{verified} {outcome}"];
                lock (_checks)
                    foreach (var key in keys)
                        _checks[key] = _checks.GetValueOrDefault(key) + value;
            }
        );
        _listener.Start();
        _host = await PipelineHost.StartAsync(
            app => app.MapGet("/me", (System.Security.Claims.ClaimsPrincipal user) => TypedResults.Ok(user.UserId())),
            new TestTokens(_key, "counted", _clock),
            services => services.AddSingleton<TimeProvider>(_clock)
        );
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    public void Dispose() => _listener.Dispose();

    private long Checks(string how)
    {
        lock (_checks)
            return _checks.GetValueOrDefault(how);
    }

    private Task<HttpResponseMessage> Me(string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/me");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return _host.Client.SendAsync(request);
    }

    [Fact]
    public async Task A_token_is_verified_once_then_served_from_the_cache_until_it_expires()
    {
        var user = Guid.NewGuid();
        var token = _host.Tokens.Issue(user);
        var (signatures, cached) = (Checks("signature"), Checks("cache"));
        for (var i = 0; i < 3; i++)
        {
            var response = await Me(token);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains(user.ToString(), await response.Content.ReadAsStringAsync());
        }
        Assert.Equal(signatures + 1, Checks("signature"));
        Assert.Equal(cached + 2, Checks("cache"));

        // Past its expiry and the clock skew, the cached token is refused like any expired one.
        _clock.Advance(TimeSpan.FromMinutes(16));
        Assert.Equal(HttpStatusCode.Unauthorized, (await Me(token)).StatusCode);
    }

    [Fact]
    public async Task An_expired_token_is_verified_once_then_refused_from_the_cache()
    {
        var now = _clock.GetUtcNow().UtcDateTime;
        var expired = _host.Tokens.Issue(notBefore: now.AddMinutes(-30), expires: now.AddMinutes(-5));
        var (signatures, cached) = (Checks("signature expired"), Checks("cache expired"));
        for (var i = 0; i < 3; i++)
        {
            var response = await Me(expired);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("Bearer error=\"invalid_token\"", response.Headers.WwwAuthenticate.ToString());
            Assert.Contains("The token is invalid or expired.", await response.Content.ReadAsStringAsync());
        }
        Assert.Equal(1, _key.Verifications);
        Assert.Equal(signatures + 1, Checks("signature expired"));
        Assert.Equal(cached + 2, Checks("cache expired"));

        // A token accepted earlier is refused from the cache too once it expires, with no signature check.
        var token = _host.Tokens.Issue(Guid.NewGuid());
        Assert.Equal(HttpStatusCode.OK, (await Me(token)).StatusCode);
        _clock.Advance(TimeSpan.FromMinutes(16));
        var (total, verifications) = (Checks("signature"), _key.Verifications);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Me(token)).StatusCode);
        Assert.Equal(verifications, _key.Verifications);
        Assert.Equal(total, Checks("signature"));
        Assert.Equal(cached + 3, Checks("cache expired"));
    }

    [Fact]
    public async Task A_cached_token_whose_key_was_retired_is_refused()
    {
        var token = _host.Tokens.Issue(Guid.NewGuid());
        Assert.Equal(HttpStatusCode.OK, (await Me(token)).StatusCode);
        _host.Tokens.KeyRetired = true;
        try
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await Me(token)).StatusCode);
        }
        finally
        {
            _host.Tokens.KeyRetired = false;
        }
    }

    [Fact]
    public async Task A_tampered_copy_of_a_cached_token_is_verified_and_refused()
    {
        var token = _host.Tokens.Issue(Guid.NewGuid());
        Assert.Equal(HttpStatusCode.OK, (await Me(token)).StatusCode);
        var admin = TestTokens.Tamper(token, "role", "admin");
        Assert.Equal(HttpStatusCode.Unauthorized, (await Me(admin)).StatusCode);
        // The original still works.
        Assert.Equal(HttpStatusCode.OK, (await Me(token)).StatusCode);
    }

    /// <summary>The issuer's P-256 key, counting the signature checks made with it (the library's, not ours).</summary>
    private sealed class CountingKey : ECDsa
    {
        private readonly ECDsa _inner = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        private int _verifications;

        public CountingKey()
        {
            KeySizeValue = _inner.KeySize;
            LegalKeySizesValue = _inner.LegalKeySizes;
        }

        public int Verifications => Volatile.Read(ref _verifications);

        public override byte[] SignHash(byte[] hash) => _inner.SignHash(hash);

        public override bool VerifyHash(byte[] hash, byte[] signature)
        {
            Interlocked.Increment(ref _verifications);
            return _inner.VerifyHash(hash, signature);
        }

        public override bool VerifyHash(ReadOnlySpan<byte> hash, ReadOnlySpan<byte> signature)
        {
            Interlocked.Increment(ref _verifications);
            return _inner.VerifyHash(hash, signature);
        }

        public override ECParameters ExportParameters(bool includePrivateParameters) =>
            _inner.ExportParameters(includePrivateParameters);

        public override ECParameters ExportExplicitParameters(bool includePrivateParameters) =>
            _inner.ExportExplicitParameters(includePrivateParameters);

        public override void ImportParameters(ECParameters parameters) => _inner.ImportParameters(parameters);

        public override void GenerateKey(ECCurve curve) => _inner.GenerateKey(curve);

        protected override void Dispose(bool disposing)
        {
            if (disposing)
                _inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
