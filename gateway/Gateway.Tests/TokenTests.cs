using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.Tokens;

namespace Community.Gateway.Tests;

/// <summary>Every token a client could forge or replay is refused at the edge, before any service sees it.</summary>
public sealed class TokenTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private readonly GatewayFixture _ = fixture;

    public static TheoryData<string> Attacks() =>
        [
            "alg-none",
            "hs256-with-public-key",
            "expired",
            "not-yet-valid",
            "wrong-audience",
            "wrong-issuer",
            "tampered-payload",
            "unknown-kid",
            "known-kid-other-key",
            "no-kid",
            "garbage",
            "empty-bearer",
            "typ-jwt",
            "no-typ",
            "crit-header",
            "sub-not-a-user-id",
            "exp-as-string",
        ];

    [Theory]
    [MemberData(nameof(Attacks))]
    public async Task Forged_or_stale_tokens_are_refused_with_401(string attack)
    {
        var token = Forge(attack);
        var before = _.Backend.Received.Count(r => r.Path.StartsWith("/api/"));

        var response = await _.SendAsync(HttpMethod.Get, "/api/v1/events", token);

        var problem = await GatewayFixture.ProblemOf(response, HttpStatusCode.Unauthorized);
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("detail").GetString()));
        Assert.Equal(before, _.Backend.Received.Count(r => r.Path.StartsWith("/api/")));
    }

    [Theory]
    [MemberData(nameof(Attacks))]
    public async Task Forged_tokens_are_refused_on_anonymous_routes_too(string attack)
    {
        var response = await _.SendAsync(HttpMethod.Post, "/api/v1/auth/login", Forge(attack));

        await GatewayFixture.ProblemOf(response, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Expiry_within_the_30_second_skew_is_still_accepted()
    {
        var token = _.Tokens.Issue(notBefore: DateTime.UtcNow.AddMinutes(-15), expires: DateTime.UtcNow.AddSeconds(-5));

        var echo = await GatewayFixture.EchoOf(await _.SendAsync(HttpMethod.Get, "/api/v1/events", token));

        Assert.Equal("Bearer " + token, echo.Header("Authorization"));
    }

    [Fact]
    public async Task A_raw_token_without_the_bearer_scheme_is_refused_not_accepted()
    {
        var before = _.Backend.Received.Count(r => r.Path.StartsWith("/api/"));
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/events");
        request.Headers.TryAddWithoutValidation("Authorization", _.Tokens.Issue());

        var problem = await GatewayFixture.ProblemOf(await _.Client.SendAsync(request), HttpStatusCode.Unauthorized);

        Assert.Contains("Bearer", problem.GetProperty("detail").GetString());
        Assert.Equal(before, _.Backend.Received.Count(r => r.Path.StartsWith("/api/")));
    }

    [Fact]
    public async Task A_well_formed_access_token_passes_with_its_type()
    {
        var token = _.Tokens.Issue();
        Assert.Equal("at+jwt", TestTokens.Header(token)["typ"]!.GetValue<string>());

        var echo = await GatewayFixture.EchoOf(await _.SendAsync(HttpMethod.Get, "/api/v1/events", token));

        Assert.Equal("Bearer " + token, echo.Header("Authorization"));
    }

    private byte[] Sign(byte[] input) => _.Tokens.Key.SignData(input, HashAlgorithmName.SHA256);

    private string Forge(string attack)
    {
        var now = DateTime.UtcNow;
        var tokens = _.Tokens;
        switch (attack)
        {
            case "alg-none":
                return tokens.Forge(
                    new
                    {
                        alg = "none",
                        typ = "at+jwt",
                        kid = tokens.Kid,
                    }
                );
            case "hs256-with-public-key":
                var publicKey = tokens.Key.ExportSubjectPublicKeyInfo();
                return tokens.Forge(
                    new
                    {
                        alg = "HS256",
                        typ = "at+jwt",
                        kid = tokens.Kid,
                    },
                    input => HMACSHA256.HashData(publicKey, input)
                );
            case "expired":
                return tokens.Issue(notBefore: now.AddMinutes(-20), expires: now.AddSeconds(-45));
            case "not-yet-valid":
                return tokens.Issue(notBefore: now.AddMinutes(5), expires: now.AddMinutes(20));
            case "wrong-audience":
                return tokens.Issue(audience: "someone-else");
            case "wrong-issuer":
                return tokens.Issue(issuer: "https://evil.example");
            case "tampered-payload":
                var parts = tokens.Issue(role: "member").Split('.');
                var payload = Base64UrlEncoder.Decode(parts[1]).Replace("\"member\"", "\"admin\"");
                Assert.Contains("admin", payload);
                return $"{parts[0]}.{Base64UrlEncoder.Encode(payload)}.{parts[2]}";
            case "unknown-kid":
                using (var other = ECDsa.Create(ECCurve.NamedCurves.nistP256))
                    return tokens.Issue(signWith: other, kid: "unknown-kid");
            case "known-kid-other-key":
                using (var other = ECDsa.Create(ECCurve.NamedCurves.nistP256))
                    return tokens.Issue(signWith: other);
            case "no-kid":
                return tokens.Forge(new { alg = "ES256", typ = "at+jwt" }, Sign);
            case "typ-jwt":
                return tokens.Forge(
                    new
                    {
                        alg = "ES256",
                        typ = "JWT",
                        kid = tokens.Kid,
                    },
                    Sign
                );
            case "no-typ":
                return tokens.Forge(new { alg = "ES256", kid = tokens.Kid }, Sign);
            case "crit-header":
                return tokens.Forge(
                    new
                    {
                        alg = "ES256",
                        typ = "at+jwt",
                        kid = tokens.Kid,
                        crit = new[] { "exp" },
                    },
                    Sign
                );
            case "sub-not-a-user-id":
                return tokens.Issue(subject: "admin");
            case "exp-as-string":
                var claims = TestTokens.Claims(Guid.NewGuid().ToString(), now);
                claims["exp"] = "9999999999";
                return TestTokens.Es256(tokens.Key, tokens.Kid, claims);
            case "garbage":
                return "not.a.jwt";
            case "empty-bearer":
                return Convert.ToBase64String(Encoding.UTF8.GetBytes("garbage-without-dots"));
            default:
                throw new ArgumentOutOfRangeException(nameof(attack), attack, null);
        }
    }
}
