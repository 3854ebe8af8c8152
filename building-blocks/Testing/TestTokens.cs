using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Community.Contracts;
using Community.ServiceDefaults.Auth;
using Microsoft.IdentityModel.Tokens;

namespace Community.Testing;

/// <summary>
/// The one test token issuer. An instance plays identity for a service under test: register it as the
/// service's <see cref="ISigningKeySource"/> (or publish <see cref="Key"/> in a fake JWKS) and issue real
/// ES256 access tokens, dated by the test's clock so moving the clock does not expire them. The static
/// members hand-make JWTs for attack tests: any header, any payload, any (or no) signature.
/// </summary>
public sealed class TestTokens(TimeProvider? clock = null) : ISigningKeySource, IDisposable
{
    public const string Issuer = "community-identity";
    public const string Audience = "community";

    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    /// <summary>
    /// An issuer with a given key, so several processes (a benchmark's hosts) trust and issue the same tokens.
    /// </summary>
    public TestTokens(ECDsa key, string kid, TimeProvider? clock = null)
        : this(clock)
    {
        Key.Dispose();
        Key = key;
        Kid = kid;
    }

    public ECDsa Key { get; } = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    public string Kid { get; } = "test-" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>
    /// Told the subject of every token the two <c>Issue</c> methods make: a service fixture records that user as
    /// announced by identity, as a real user is before they act (the static helpers below announce nobody).
    /// </summary>
    public Action<Guid>? Issued { get; set; }

    /// <summary>A platform access token for <paramref name="userId"/>, issued now on the test clock.</summary>
    public string Issue(Guid userId, string role = Roles.Member, string tier = Tiers.Free)
    {
        Issued?.Invoke(userId);
        var claims = Claims(userId.ToString(), _clock.GetUtcNow(), role: role);
        claims["tier"] = tier;
        return Es256(Key, Kid, claims);
    }

    /// <summary>
    /// An access token with any registered claim changed: issuer, audience, lifetime, signing key or kid.
    /// </summary>
    public string Issue(
        string? subject = null,
        string issuer = Issuer,
        string audience = Audience,
        DateTime? notBefore = null,
        DateTime? expires = null,
        ECDsa? signWith = null,
        string? kid = null,
        string role = Roles.Member,
        string tier = Tiers.Free
    )
    {
        subject ??= Guid.NewGuid().ToString();
        if (Guid.TryParse(subject, out var userId))
            Issued?.Invoke(userId);
        var now = _clock.GetUtcNow().UtcDateTime;
        var start = new DateTimeOffset(notBefore ?? now.AddSeconds(-5));
        var claims = new JsonObject
        {
            ["sub"] = subject,
            ["name"] = "Test User",
            ["role"] = role,
            ["tier"] = tier,
            ["iss"] = issuer,
            ["aud"] = audience,
            ["iat"] = start.ToUnixTimeSeconds(),
            ["nbf"] = start.ToUnixTimeSeconds(),
            ["exp"] = new DateTimeOffset(expires ?? now.AddMinutes(15)).ToUnixTimeSeconds(),
        };
        return Es256(signWith ?? Key, kid ?? Kid, claims);
    }

    /// <summary>
    /// A token with the given header and the payload of a valid token, signed by <paramref name="sign"/> (or unsigned).
    /// </summary>
    public string Forge(object header, Func<byte[], byte[]>? sign = null)
    {
        var payload = Issue().Split('.')[1];
        var signingInput = B64(JsonSerializer.Serialize(header)) + "." + payload;
        var signature = sign is null ? "" : B64(sign(Encoding.ASCII.GetBytes(signingInput)));
        return signingInput + "." + signature;
    }

    // One key object, as identity's store and the JWKS reader keep theirs: a new one per request would make the library
    // compute its thumbprint and build a signature provider on every validation, costs no service pays.
    private ECDsaSecurityKey? _securityKey;

    /// <summary>The key is no longer published (rotated out): tokens signed with it are refused.</summary>
    public bool KeyRetired { get; set; }

    public ValueTask<SecurityKey?> FindAsync(string kid, CancellationToken cancellationToken) =>
        ValueTask.FromResult<SecurityKey?>(
            kid == Kid && !KeyRetired ? _securityKey ??= new ECDsaSecurityKey(Key) { KeyId = Kid } : null
        );

    public void Dispose() => Key.Dispose();

    public static string B64(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static string B64(string text) => B64(Encoding.UTF8.GetBytes(text));

    public static byte[] FromB64(string text)
    {
        var s = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(s.PadRight(s.Length + (4 - s.Length % 4) % 4, '='));
    }

    /// <summary>
    /// Claims of a well-formed platform token for <paramref name="sub"/>, valid for 15 minutes from
    /// <paramref name="now"/>.
    /// </summary>
    public static JsonObject Claims(
        string sub,
        DateTimeOffset now,
        string issuer = Issuer,
        string audience = Audience,
        string role = "member"
    ) =>
        new()
        {
            ["sub"] = sub,
            ["name"] = "forged",
            ["role"] = role,
            ["tier"] = "free",
            ["iss"] = issuer,
            ["aud"] = audience,
            ["iat"] = now.ToUnixTimeSeconds(),
            ["nbf"] = now.ToUnixTimeSeconds(),
            ["exp"] = now.AddMinutes(15).ToUnixTimeSeconds(),
        };

    /// <summary>
    /// A token signed with <paramref name="key"/>; <paramref name="typ"/> is the platform's access-token type unless a
    /// test forges another.
    /// </summary>
    public static string Es256(ECDsa key, string kid, JsonObject claims, string typ = "at+jwt")
    {
        var signingInput =
            B64(
                new JsonObject
                {
                    ["alg"] = "ES256",
                    ["kid"] = kid,
                    ["typ"] = typ,
                }.ToJsonString()
            )
            + "."
            + B64(claims.ToJsonString());
        return signingInput + "." + B64(key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256));
    }

    public static string Unsigned(string kid, JsonObject claims) =>
        B64(
            new JsonObject
            {
                ["alg"] = "none",
                ["kid"] = kid,
                ["typ"] = "JWT",
            }.ToJsonString()
        )
        + "."
        + B64(claims.ToJsonString())
        + ".";

    public static string Hs256(byte[] secret, string kid, JsonObject claims)
    {
        var signingInput =
            B64(
                new JsonObject
                {
                    ["alg"] = "HS256",
                    ["kid"] = kid,
                    ["typ"] = "JWT",
                }.ToJsonString()
            )
            + "."
            + B64(claims.ToJsonString());
        return signingInput + "." + B64(HMACSHA256.HashData(secret, Encoding.ASCII.GetBytes(signingInput)));
    }

    /// <summary>The token with one claim changed and the original signature kept.</summary>
    public static string Tamper(string token, string claim, string value)
    {
        var parts = token.Split('.');
        var payload = JsonNode.Parse(FromB64(parts[1]))!.AsObject();
        payload[claim] = value;
        return $"{parts[0]}.{B64(payload.ToJsonString())}.{parts[2]}";
    }

    public static JsonObject Payload(string token) => JsonNode.Parse(FromB64(token.Split('.')[1]))!.AsObject();

    public static JsonObject Header(string token) => JsonNode.Parse(FromB64(token.Split('.')[0]))!.AsObject();

    /// <summary>
    /// The public key of a JWKS entry as raw bytes, what an HS256 "key confusion" attacker would sign with.
    /// </summary>
    public static byte[] PublicKeyBytes(JsonNode jwk)
    {
        using var ecdsa = ECDsa.Create(
            new ECParameters
            {
                Curve = ECCurve.NamedCurves.nistP256,
                Q = new ECPoint
                {
                    X = FromB64(jwk["x"]!.GetValue<string>()),
                    Y = FromB64(jwk["y"]!.GetValue<string>()),
                },
            }
        );
        return ecdsa.ExportSubjectPublicKeyInfo();
    }

    public static string Serialize(object value) => JsonSerializer.Serialize(value);
}
