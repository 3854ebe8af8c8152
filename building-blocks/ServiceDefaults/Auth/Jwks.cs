using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.IdentityModel.Tokens;

namespace Community.ServiceDefaults.Auth;

/// <summary>The JSON Web Key Set document (RFC 7517) restricted to what ES256 needs.</summary>
public sealed record JsonWebKeySetDocument([property: JsonPropertyName("keys")] IReadOnlyList<EcPublicJwk> Keys);

public sealed record EcPublicJwk(
    [property: JsonPropertyName("kty")] string Kty,
    [property: JsonPropertyName("crv")] string Crv,
    [property: JsonPropertyName("kid")] string Kid,
    [property: JsonPropertyName("use")] string Use,
    [property: JsonPropertyName("alg")] string Alg,
    [property: JsonPropertyName("x")] string X,
    [property: JsonPropertyName("y")] string Y)
{
    public static EcPublicJwk From(string kid, ECDsa key)
    {
        var p = key.ExportParameters(includePrivateParameters: false);
        return new EcPublicJwk("EC", "P-256", kid, "sig", SecurityAlgorithms.EcdsaSha256,
            Base64UrlEncoder.Encode(p.Q.X!), Base64UrlEncoder.Encode(p.Q.Y!));
    }

    /// <summary>The verification key, or null for anything that is not a P-256 ES256 signing key.</summary>
    public ECDsaSecurityKey? ToSecurityKey()
    {
        if (Kty != "EC" || Crv != "P-256" || (Alg is not null && Alg != SecurityAlgorithms.EcdsaSha256)) return null;
        var ecdsa = ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = Base64UrlEncoder.DecodeBytes(X), Y = Base64UrlEncoder.DecodeBytes(Y) },
        });
        return new ECDsaSecurityKey(ecdsa) { KeyId = Kid };
    }

    public static JsonSerializerOptions SerializerOptions { get; } = new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };
}
