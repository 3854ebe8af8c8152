using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Community.Contracts;
using Community.LocalInfrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Community.ServiceDefaults.Tests.Auth;

/// <summary>
/// An instance that meets a kid it does not hold while identity cannot be asked (started during identity's restart, a
/// rotation during a blip) cannot tell a valid token from a forged one: it answers 503 with Retry-After, not the 401
/// that signs the user out, but counts it against the budget of tokens out of their lifetime (forged kids are not free
/// while identity is down, and users sharing an address are not held for long); a token it verifies passes whatever
/// the count. An unknown kid identity was asked about is 401.
/// </summary>
public sealed class UnreachableIdentityTests
{
    private static Task<PipelineHost> StartAsync(string identity, LogCapture? logs = null) =>
        PipelineHost.StartAsync(
            app => app.MapGet("/protected", () => TypedResults.Ok("in")),
            services: logs is null ? null : logs.AddTo,
            settings: new Dictionary<string, string?>
            {
                [$"Services:{ResourceNames.Identity}"] = identity,
                // the budget of tokens that may well be the platform's, smaller than its 600 a minute for the test
                ["RateLimits:InvalidTokens:ExpiredPermitLimit"] = "80",
            },
            trustTestTokens: false
        );

    private static async Task<HttpResponseMessage> GetAsync(PipelineHost host, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/protected");
        request.Headers.Authorization = new("Bearer", token);
        return await host.Client.SendAsync(request);
    }

    [Fact]
    public async Task A_signed_token_while_identity_is_unreachable_is_a_503_with_retry_after_up_to_the_limit()
    {
        using var tokens = new TestTokens();
        using var logs = new LogCapture();
        await using var host = await StartAsync($"http://127.0.0.1:{LoopbackPorts.Take()}", logs);
        var token = tokens.Issue(Guid.NewGuid());

        // Up to the larger budget of tokens that may be the platform's (80 here; past the 60 of invalid ones), each a
        // 503 to retry on, not a 401 that signs the user out.
        for (var i = 0; i < 80; i++)
        {
            using var response = await GetAsync(host, token);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.InRange(
                response.Headers.RetryAfter?.Delta ?? TimeSpan.Zero,
                TimeSpan.FromSeconds(1),
                TimeSpan.FromSeconds(10)
            );
            Assert.Empty(response.Headers.WwwAuthenticate);
        }
        // Then held like any unverifiable token: forged kids cost one of the address's guesses each.
        using (var limited = await GetAsync(host, token))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
            Assert.Equal("application/problem+json", limited.Content.Headers.ContentType?.MediaType);
        }
        // An outage of identity, told as a warning (the key set's) and each 503 as information: no error with a stack.
        Assert.Empty(logs.AtLeast(LogLevel.Error));
    }

    [Fact]
    public async Task An_unknown_kid_identity_was_asked_about_is_a_401_and_a_published_one_passes()
    {
        using var tokens = new TestTokens();
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var identity = WebApplication.CreateBuilder();
        identity.WebHost.UseUrls("http://127.0.0.1:0");
        await using var jwks = identity.Build();
        jwks.MapGet(
            "/.well-known/jwks.json",
            () =>
                Results.Json(
                    new JsonObject { ["keys"] = new JsonArray(Jwk("other", other), Jwk(tokens.Kid, tokens.Key)) }
                )
        );
        await jwks.StartAsync();
        await using var host = await StartAsync(jwks.Urls.First());

        using var unpublished = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var claims = TestTokens.Claims(Guid.NewGuid().ToString(), DateTimeOffset.UtcNow);
        using var unknown = await GetAsync(host, TestTokens.Es256(unpublished, "unpublished", claims));
        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
        Assert.Contains("invalid_token", unknown.Headers.WwwAuthenticate.ToString());

        using var published = await GetAsync(host, tokens.Issue(Guid.NewGuid()));
        Assert.Equal(HttpStatusCode.OK, published.StatusCode);
    }

    private static JsonObject Jwk(string kid, ECDsa key)
    {
        var point = key.ExportParameters(includePrivateParameters: false).Q;
        return new JsonObject
        {
            ["kty"] = "EC",
            ["crv"] = "P-256",
            ["use"] = "sig",
            ["alg"] = "ES256",
            ["kid"] = kid,
            ["x"] = TestTokens.B64(point.X!),
            ["y"] = TestTokens.B64(point.Y!),
        };
    }
}
