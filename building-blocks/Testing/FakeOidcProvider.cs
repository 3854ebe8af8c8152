using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Community.Testing;

/// <summary>A person as the fake provider knows them.</summary>
public sealed record FakeOidcUser(string Subject, string Email, bool EmailVerified = true, string? Name = null);

/// <summary>
/// An OpenID Connect provider (Google's shape) on real Kestrel: discovery, an ES256 JWKS, an authorize
/// endpoint that insists on PKCE S256 and a token endpoint that checks the client secret and the
/// code_verifier against the challenge before it issues an ID token for <see cref="NextUser"/>.
/// </summary>
public sealed class FakeOidcProvider : FakeHttpServer<FakeOidcProvider.Seen>
{
    public sealed record Seen(string Endpoint, IReadOnlyDictionary<string, string> Fields);

    private sealed record Grant(string ClientId, string RedirectUri, string Challenge, string Nonce, FakeOidcUser User);

    public const string ClientId = "community-test-client";
    public readonly string ClientSecret = "secret-" + Guid.NewGuid().ToString("N");

    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly string _kid = Guid.NewGuid().ToString("N")[..12];
    private readonly ConcurrentDictionary<string, Grant> _codes = new();

    /// <summary>Who signs in at the next authorize request.</summary>
    public FakeOidcUser NextUser { get; set; } = new("sub-default", "default@example.com");

    /// <summary>When set, the token endpoint hangs up without answering (the provider out of reach).</summary>
    public bool TokenEndpointDown { get; set; }

    /// <summary>When set, the token endpoint answers 200 with this body (JSON or not) instead of the tokens.</summary>
    public string? TokenAnswerOverride { get; set; }

    /// <summary>When set, ID tokens carry this nonce instead of the one the client asked for.</summary>
    public string? NonceOverride { get; set; }

    private bool _issuerEndsInSlash;

    /// <summary>Where its endpoints are: its address without a trailing slash.</summary>
    public string Origin => BaseAddress.ToString().TrimEnd('/');

    /// <summary>
    /// The issuer its discovery document and ID tokens name: its origin, or with a trailing slash as Auth0's and
    /// others' are (<see cref="StartAsync"/>).
    /// </summary>
    public string Issuer => Origin + (_issuerEndsInSlash ? "/" : "");

    public static async Task<FakeOidcProvider> StartAsync(bool issuerEndsInSlash = false)
    {
        var provider = new FakeOidcProvider { _issuerEndsInSlash = issuerEndsInSlash };
        await provider.StartServerAsync();
        return provider;
    }

    protected override void Map(WebApplication app)
    {
        app.MapGet(
            "/.well-known/openid-configuration",
            () =>
                Results.Json(
                    new Dictionary<string, object>
                    {
                        ["issuer"] = Issuer,
                        ["authorization_endpoint"] = $"{Origin}/authorize",
                        ["token_endpoint"] = $"{Origin}/token",
                        ["jwks_uri"] = $"{Origin}/jwks",
                        ["response_types_supported"] = new[] { "code" },
                        ["subject_types_supported"] = new[] { "public" },
                        ["id_token_signing_alg_values_supported"] = new[] { "ES256" },
                        ["code_challenge_methods_supported"] = new[] { "S256" },
                    }
                )
        );
        app.MapGet(
            "/jwks",
            () =>
            {
                var p = _key.ExportParameters(false);
                return Results.Json(
                    new
                    {
                        keys = new[]
                        {
                            new
                            {
                                kty = "EC",
                                crv = "P-256",
                                use = "sig",
                                alg = "ES256",
                                kid = _kid,
                                x = Base64UrlEncoder.Encode(p.Q.X!),
                                y = Base64UrlEncoder.Encode(p.Q.Y!),
                            },
                        },
                    }
                );
            }
        );
        app.MapGet(
            "/authorize",
            (HttpRequest request) =>
            {
                var query = request.Query.ToDictionary(q => q.Key, q => q.Value.ToString());
                Record(new Seen("authorize", query));
                string Field(string name) => query.GetValueOrDefault(name) ?? "";
                if (
                    Field("response_type") != "code"
                    || Field("client_id") != ClientId
                    || Field("code_challenge_method") != "S256"
                    || Field("code_challenge").Length < 43
                    || Field("redirect_uri").Length == 0
                    || Field("state").Length == 0
                    || Field("nonce").Length == 0
                )
                    return Results.BadRequest(new { error = "invalid_request" });
                var code = Guid.NewGuid().ToString("N");
                _codes[code] = new Grant(
                    Field("client_id"),
                    Field("redirect_uri"),
                    Field("code_challenge"),
                    Field("nonce"),
                    NextUser
                );
                // As Google answers: with what it granted and which of the browser's accounts (a relying party must
                // take parameters it does not read).
                return Results.Redirect(
                    $"{Field("redirect_uri")}?state={Uri.EscapeDataString(Field("state"))}&code={code}"
                        + "&scope=email%20openid%20https%3A%2F%2Fwww.googleapis.com%2Fauth%2Fuserinfo.email"
                        + "&authuser=0&prompt=consent"
                );
            }
        );
        app.MapPost(
            "/token",
            async (HttpRequest request) =>
            {
                var form = (await request.ReadFormAsync()).ToDictionary(f => f.Key, f => f.Value.ToString());
                Record(new Seen("token", form));
                if (TokenEndpointDown)
                {
                    request.HttpContext.Abort();
                    return Results.Empty;
                }
                string Field(string name) => form.GetValueOrDefault(name) ?? "";
                if (Field("client_id") != ClientId || Field("client_secret") != ClientSecret)
                    return Results.Json(new { error = "invalid_client" }, statusCode: 401);
                if (Field("grant_type") != "authorization_code" || !_codes.TryRemove(Field("code"), out var grant))
                    return Results.BadRequest(new { error = "invalid_grant" });
                var challenge = Base64UrlEncoder.Encode(
                    SHA256.HashData(Encoding.ASCII.GetBytes(Field("code_verifier")))
                );
                if (grant.RedirectUri != Field("redirect_uri") || challenge != grant.Challenge)
                    return Results.BadRequest(new { error = "invalid_grant" });
                if (TokenAnswerOverride is { } answer)
                    return Results.Text(answer, "application/json");
                return Results.Json(
                    new
                    {
                        access_token = "unused",
                        token_type = "Bearer",
                        expires_in = 3600,
                        id_token = IdToken(grant),
                    }
                );
            }
        );
    }

    private string IdToken(Grant grant)
    {
        var now = DateTime.UtcNow;
        var claims = new Dictionary<string, object>
        {
            ["sub"] = grant.User.Subject,
            ["email"] = grant.User.Email,
            ["email_verified"] = grant.User.EmailVerified,
            ["nonce"] = NonceOverride ?? grant.Nonce,
        };
        if (grant.User.Name is not null)
            claims["name"] = grant.User.Name;
        return new JsonWebTokenHandler().CreateToken(
            new SecurityTokenDescriptor
            {
                Issuer = Issuer,
                Audience = grant.ClientId,
                IssuedAt = now,
                NotBefore = now,
                Expires = now.AddMinutes(5),
                Claims = claims,
                SigningCredentials = new SigningCredentials(
                    new ECDsaSecurityKey(_key) { KeyId = _kid },
                    SecurityAlgorithms.EcdsaSha256
                ),
            }
        );
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _key.Dispose();
    }
}
