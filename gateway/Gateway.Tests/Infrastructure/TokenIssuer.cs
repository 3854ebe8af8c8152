using System.IdentityModel.Tokens.Jwt;
using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.Tokens;

namespace Community.Gateway.Tests.Infrastructure;

/// <summary>Plays identity's part in tests: holds an ES256 key and signs access tokens with it.</summary>
public sealed class TokenIssuer : IDisposable
{
    public const string Issuer = "community-identity";
    public const string Audience = "community";

    public ECDsa Key { get; } = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    public string Kid { get; } = "test-" + Guid.NewGuid().ToString("N")[..8];

    public string Issue(
        string? subject = null,
        string issuer = Issuer,
        string audience = Audience,
        DateTime? notBefore = null,
        DateTime? expires = null,
        ECDsa? signWith = null,
        string? kid = null,
        string role = "member",
        string tier = "free")
    {
        var now = DateTime.UtcNow;
        var start = notBefore ?? now.AddSeconds(-5);
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            IssuedAt = start,
            NotBefore = start,
            Expires = expires ?? now.AddMinutes(15),
            Claims = new Dictionary<string, object>
            {
                ["sub"] = subject ?? Guid.NewGuid().ToString(),
                ["name"] = "Test User",
                ["role"] = role,
                ["tier"] = tier,
            },
            SigningCredentials = new SigningCredentials(
                new ECDsaSecurityKey(signWith ?? Key) { KeyId = kid ?? Kid }, SecurityAlgorithms.EcdsaSha256),
        };
        return new JwtSecurityTokenHandler().CreateEncodedJwt(descriptor);
    }

    /// <summary>A token with the given header and the payload of a valid token, signed by <paramref name="sign"/> (or unsigned).</summary>
    public string Forge(object header, Func<byte[], byte[]>? sign = null)
    {
        var payload = Issue().Split('.')[1];
        var signingInput = Base64UrlEncoder.Encode(System.Text.Json.JsonSerializer.Serialize(header)) + "." + payload;
        var signature = sign is null ? "" : Base64UrlEncoder.Encode(sign(Encoding.ASCII.GetBytes(signingInput)));
        return signingInput + "." + signature;
    }

    public void Dispose() => Key.Dispose();
}
